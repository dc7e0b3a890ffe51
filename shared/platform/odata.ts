import { dataTablesSdk } from './lazy-sdks';

/**
 * The Tables SDK's `odata` query template (it quotes and escapes the values), without loading the SDK until a
 * query is built. Store modules import it from here so that loading them stays cheap.
 */
export function odata(strings: TemplateStringsArray, ...values: unknown[]): string {
  return dataTablesSdk().odata(strings, ...values);
}
