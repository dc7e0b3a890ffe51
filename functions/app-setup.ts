import { app } from '@azure/functions';
import { getConfig } from '../shared/platform/config';

/**
 * Loaded with the functions (package.json "main" globs this folder). A bad setting stops the app here, at start,
 * with a message that names it and says how to fix it, instead of failing later inside some invocation. The host
 * prints the error that stops the load, so printing it here too would show it twice.
 */
getConfig();

app.setup({ enableHttpStream: false });
