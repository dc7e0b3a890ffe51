/**
 * Loads a function app as the Azure worker does (azure-functions-nodejs-worker startApp.ts): read package.json
 * "main", glob it relative to the app root, require each file in turn. Each file registers its functions with
 * @azure/functions-core as a side effect of being loaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  registeredHooks,
  registrations,
  withRegistrationSource,
  type RegisteredFunction,
} from './functions-core';
import { globFiles } from './glob';
import type { HostLog } from './log';

export interface LoadedApp {
  files: string[];
  functions: RegisteredFunction[];
}

export function loadFunctionApp(appRoot: string, log: HostLog): LoadedApp {
  const packageFile = path.join(appRoot, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as { main?: unknown; type?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main === '') {
    log.warn(`${packageFile} has no "main"; no functions were loaded.`);
    return { files: [], functions: [] };
  }
  const files = globFiles(appRoot, pkg.main);
  if (files.length === 0)
    log.warn(`Found zero files matching the supplied pattern "${pkg.main}" in ${appRoot}.`);
  for (const file of files) {
    if (file.endsWith('.mjs') || (pkg.type === 'module' && file.endsWith('.js'))) {
      throw new Error(`${file} is an ES module; the local host loads CommonJS entry points only.`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the worker loads entry files with require
    withRegistrationSource(file, () => require(file));
  }
  if (registeredHooks.length > 0) {
    log.warn(
      `The app registers hooks (${[...new Set(registeredHooks)].join(', ')}); the local host does not run them.`,
    );
  }
  const loaded = new Set(files);
  const functions = [...registrations.values()].filter(
    (fn) => fn.source !== undefined && loaded.has(fn.source),
  );
  return { files, functions };
}
