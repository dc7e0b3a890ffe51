/**
 * The Azure and Graph SDKs, each required on its first use instead of when the function app loads. Requiring one costs
 * 30–300 ms (hundreds of modules), and the worker loads every function file at start: a cold start would pay for
 * all of them before the first request, although most invocations need one or two. Import only types from these
 * packages elsewhere (`import type`) and reach the values through here.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- deferring the require is the point of this file */

export function dataTablesSdk(): typeof import('@azure/data-tables') {
  return require('@azure/data-tables') as typeof import('@azure/data-tables');
}

export function storageQueueSdk(): typeof import('@azure/storage-queue') {
  return require('@azure/storage-queue') as typeof import('@azure/storage-queue');
}

export function identitySdk(): typeof import('@azure/identity') {
  return require('@azure/identity') as typeof import('@azure/identity');
}

export function keyVaultSecretsSdk(): typeof import('@azure/keyvault-secrets') {
  return require('@azure/keyvault-secrets') as typeof import('@azure/keyvault-secrets');
}

export function graphClientSdk(): typeof import('@microsoft/microsoft-graph-client') {
  return require('@microsoft/microsoft-graph-client') as typeof import('@microsoft/microsoft-graph-client');
}
