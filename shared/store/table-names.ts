/** Every table the app uses. A prefix gives tests (and side-by-side installs) their own set. */
export const TABLE_NAMES = {
  users: 'users',
  subscriptions: 'subscriptions',
  /** One partition per (pair, kind): the state row (lease, cursors, pending intents) and the link rows. */
  pairState: 'pairstate',
  failures: 'failures',
  audit: 'audit',
  quota: 'quota',
  /** One row per maintenance job: its lease, last run and the "requested" flag; and the pause switch's row. */
  jobs: 'jobs',
  mailCredentials: 'mailcredentials',
  /** The optional colleagues folder: the directory as last read, and the mailboxes waiting for an update. */
  colleagues: 'colleagues',
} as const;

export type TableRole = keyof typeof TABLE_NAMES;
export type TableNames = Record<TableRole, string>;

const VALID_TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function tableNames(prefix = ''): TableNames {
  const names = {} as TableNames;
  for (const role of Object.keys(TABLE_NAMES) as TableRole[]) {
    const name = prefix + TABLE_NAMES[role];
    if (!VALID_TABLE_NAME.test(name)) {
      throw new Error(`table name "${name}" is invalid: 3-63 letters or digits, starting with a letter`);
    }
    names[role] = name;
  }
  return names;
}
