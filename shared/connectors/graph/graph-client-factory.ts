import type { AuthenticationProvider, Client } from '@microsoft/microsoft-graph-client';
import { graphClientSdk } from '../../platform/lazy-sdks';
import { NodeHttpMessageHandler } from './node-http-handler';
import { ImmutableIdPreferMiddleware } from './prefer-header-middleware';

/**
 * The Graph SDK client. The middleware chain is the SDK default minus its RetryHandler: that handler re-sends
 * POSTs on 429/503/504 (seen against a local fake: one 503 produced two creates), so retries live in GraphApi instead,
 * where only idempotent methods are retried and event creates rely on transactionId.
 */
const GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
  'canary.graph.microsoft.com',
]);

export interface GraphClientFactoryOptions {
  baseUrl: string;
  authProvider: AuthenticationProvider;
}

export function createGraphSdkClient(options: GraphClientFactoryOptions): Client {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'https:') {
    // Over http the SDK silently drops the Authorization header and mangles absolute nextLinks (seen against a local fake).
    throw new Error(`Graph base URL must be https, got ${options.baseUrl}`);
  }
  const { AuthenticationHandler, Client, RedirectHandler, TelemetryHandler } = graphClientSdk();
  const middleware = [
    new AuthenticationHandler(options.authProvider),
    new ImmutableIdPreferMiddleware(),
    new RedirectHandler(),
    new TelemetryHandler(),
    new NodeHttpMessageHandler(),
  ];
  return Client.initWithMiddleware({
    middleware,
    baseUrl: `${url.origin}/`,
    defaultVersion: 'v1.0',
    // The SDK compares hostnames without port; a fake on https://127.0.0.1:7443 needs "127.0.0.1" here.
    customHosts: GRAPH_HOSTS.has(url.hostname) ? undefined : new Set([url.hostname]),
  });
}
