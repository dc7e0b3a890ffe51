import { app } from '@azure/functions';
import { ConfigError, getConfig } from '../shared/platform/config';

/**
 * Loaded with the functions (package.json "main" globs this folder). A bad setting stops the app here, at start,
 * with a message that names it and says how to fix it, instead of failing later inside some invocation.
 */
try {
  getConfig();
} catch (err) {
  if (err instanceof ConfigError) console.error(err.message);
  throw err;
}

app.setup({ enableHttpStream: false });
