/**
 * Child process of the cold-start figure: loads the function app once, the way the Azure worker does (the
 * @azure/functions-core proxy, then every file package.json "main" globs), and prints how long that took as JSON.
 * With `--eager` it first requires what the app used to require at load (see eager-requires.ts), inside the timing.
 */
import { loadFunctionApp } from '../../sandbox/host/app-loader';
import { acquireCoreModuleProxy } from '../../sandbox/host/core-module-proxy';
import { createHostLog } from '../../sandbox/host/log';
import { APP_ROOT } from '../support/paths';
import { requireEagerly } from './eager-requires';

const eager = process.argv.includes('--eager');
const modulesBefore = Object.keys(require.cache).length;
const started = performance.now();
const cpuAtStart = process.cpuUsage();
acquireCoreModuleProxy();
if (eager) requireEagerly();
const app = loadFunctionApp(
  APP_ROOT,
  createHostLog(() => undefined),
);
const loadMs = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(
  JSON.stringify({
    loadMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    files: app.files.length,
    functions: app.functions.length,
    modules: Object.keys(require.cache).length - modulesBefore,
  }),
);
