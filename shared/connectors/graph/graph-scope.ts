/** The Graph hosts of the national clouds, which take their own `/.default` scope; anything else is a stand-in. */
const NATIONAL_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/**
 * The application scope for a Graph base URL (Microsoft Graph national cloud deployments): its own origin's
 * `/.default` in a national cloud, the global one for any other host (the sandbox's fake answers as the global).
 * Kept apart from the token provider so that what only needs the scope (the consent page) loads no SDK.
 */
export function graphScopeFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  return NATIONAL_GRAPH_HOSTS.has(url.hostname)
    ? `${url.origin}/.default`
    : 'https://graph.microsoft.com/.default';
}
