import { reasonOf, type PreflightResult } from './types';

const ID = 'storage';
const TITLE = 'Storage account reachable';

/** One table read through the app's own stores (the pairs table), which every part of the app depends on. */
export async function checkStorage(deps: { readPairs: () => Promise<unknown[]> }): Promise<PreflightResult> {
  try {
    const pairs = await deps.readPairs();
    return { id: ID, ok: true, title: TITLE, detail: `read the pairs table (${pairs.length} rows)`, fix: '' };
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `the pairs table could not be read: ${status ? `${status}: ` : ''}${reasonOf(err)}`,
      fix:
        status === 401 || status === 403
          ? 'give the app\'s identity the "Storage Table Data Contributor" and "Storage Queue Data Contributor" roles ' +
            'on the storage account, or fix the key in AzureWebJobsStorage'
          : 'check AzureWebJobsStorage (or AzureWebJobsStorage__accountName) and that the account allows this ' +
            'network; in sandbox mode, start the sandbox with npm start',
    };
  }
}
