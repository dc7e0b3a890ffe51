/**
 * Makes `require('@azure/functions-core')` return the fake core module, the way the Azure worker's
 * setupCoreModule.ts does: by proxying Module.prototype.require. Under jest this has no effect (jest has its own
 * module registry); there the virtual mock in test/support/functions-core-mock.ts plays the same part.
 */
import Module from 'node:module';
import { fakeCoreModule } from './functions-core';

const CORE_MODULE_ID = '@azure/functions-core';

let users = 0;
let originalRequire: NodeJS.Require | undefined;
let installedProxy: NodeJS.Require | undefined;

/** Installs the proxy (once per process); the returned function releases this caller's hold on it. */
export function acquireCoreModuleProxy(): () => void {
  if (users === 0) install();
  users += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    users -= 1;
    if (users === 0) uninstall();
  };
}

function install(): void {
  const prototype = Module.prototype as unknown as { require: NodeJS.Require };
  originalRequire = prototype.require;
  installedProxy = new Proxy(originalRequire, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === CORE_MODULE_ID) return fakeCoreModule;
      return Reflect.apply(target, thisArg, args);
    },
  });
  prototype.require = installedProxy;
}

function uninstall(): void {
  const prototype = Module.prototype as unknown as { require: NodeJS.Require };
  // Someone may have wrapped require after us; never unwrap their proxy.
  if (originalRequire && prototype.require === installedProxy) prototype.require = originalRequire;
  originalRequire = undefined;
  installedProxy = undefined;
}
