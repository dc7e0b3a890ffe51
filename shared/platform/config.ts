import { z } from 'zod';
import { registerSecret } from './logger';
import { SyncError } from '../sync/errors';

/**
 * Every setting the app reads, validated once at start. A bad setting stops the app with a message that names
 * the setting, says what is wrong and how to fix it. Nothing else in the code reads process.env directly.
 */

export class ConfigError extends SyncError {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      code: 'config-invalid',
      retryable: false,
      side: 'config',
    });
    // A setting to fix, not a bug: a stack trace would only bury the message wherever the host prints it.
    delete this.stack;
  }
}

type Env = Record<string, string | undefined>;

const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;
/** Set to "1" by the local host (sandbox/host), so that advice can fit where the app runs. */
export const LOCAL_HOST_MARKER = 'FUNCTIONS_LOCAL_HOST';

const url = z.string().url();
const secret = z.string().min(1);

interface SettingSpec {
  /** What the value is for, shown when it is missing or wrong. */
  help: string;
  schema: z.ZodType<unknown>;
  /** Required only in live mode; the sandbox has built-in values. */
  liveOnly?: boolean;
  secret?: boolean;
  default?: string;
}

export const SETTINGS = {
  SYNC_MODE: {
    help: '"sandbox" runs against the built-in fakes; "live" against real DingTalk and Microsoft 365',
    schema: z.enum(['sandbox', 'live']),
    default: 'sandbox',
  },
  AzureWebJobsStorage: {
    help: 'storage connection string (tables and queues); in Azure leave empty and set AzureWebJobsStorage__accountName',
    schema: z.string().min(1),
    secret: true,
  },
  AzureWebJobsStorage__accountName: {
    help: 'storage account name, used with the managed identity when no connection string is set',
    schema: z.string().regex(/^[a-z0-9]{3,24}$/, 'must be 3-24 lowercase letters or digits'),
  },
  AZURE_CLIENT_ID: {
    help: 'client id of the user-assigned managed identity (Azure only)',
    schema: z.string().uuid(),
  },
  PUBLIC_BASE_URL: {
    help: 'public https base URL of this function app, e.g. https://sync-fn.azurewebsites.net; Graph posts notifications to <it>/api/graph/notifications',
    schema: url,
    liveOnly: true,
  },
  GRAPH_TENANT_ID: {
    help: 'Entra tenant id (GUID) that granted admin consent',
    schema: z.string().min(1),
    liveOnly: true,
  },
  GRAPH_CLIENT_ID: {
    help: 'application (client) id of the Entra app registration',
    schema: z.string().min(1),
    liveOnly: true,
  },
  GRAPH_CREDENTIAL: {
    help: "way the app proves its identity to Entra: managed-identity (no secret: the app registration trusts the function app's user-assigned managed identity through a federated credential), certificate (GRAPH_CERTIFICATE_NAME in Key Vault) or secret (GRAPH_CLIENT_SECRET); unset means secret when GRAPH_CLIENT_SECRET is set, else managed-identity",
    schema: z.enum(['managed-identity', 'certificate', 'secret'], {
      error: 'must be managed-identity, certificate or secret',
    }),
  },
  GRAPH_CLIENT_SECRET: {
    help: 'client secret of the Entra app registration (a Key Vault reference in Azure)',
    schema: secret,
    secret: true,
  },
  GRAPH_CERTIFICATE_NAME: {
    help: 'name of the Key Vault certificate (content type PEM) whose public part is uploaded to the Entra app registration',
    schema: z
      .string()
      .regex(
        /^[0-9a-zA-Z-]{1,127}$/,
        'must be a Key Vault certificate name: 1-127 letters, digits and dashes',
      ),
  },
  GRAPH_AUTHORITY_HOST: {
    help: 'identity endpoint',
    schema: url,
    default: 'https://login.microsoftonline.com',
  },
  GRAPH_BASE_URL: { help: 'Graph endpoint', schema: url, default: 'https://graph.microsoft.com' },
  DINGTALK_APP_KEY: {
    help: 'Client ID (AppKey) of the DingTalk internal app',
    schema: z.string().min(1),
    liveOnly: true,
  },
  DINGTALK_APP_SECRET: {
    help: 'Client Secret (AppSecret) of the DingTalk internal app (a Key Vault reference in Azure)',
    schema: secret,
    liveOnly: true,
    secret: true,
  },
  DINGTALK_CORP_ID: {
    help: 'DingTalk organisation id (starts with "ding")',
    schema: z.string().min(1),
    liveOnly: true,
  },
  DINGTALK_CALLBACK_TOKEN: {
    help: '"token" entered in the DingTalk developer console for HTTP event push',
    schema: z.string().min(1),
    liveOnly: true,
    secret: true,
  },
  DINGTALK_CALLBACK_AES_KEY: {
    help: '43-character "aes_key" entered in the DingTalk developer console for HTTP event push',
    schema: z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be exactly 43 letters or digits'),
    liveOnly: true,
    secret: true,
  },
  DINGTALK_API_BASE: { help: 'DingTalk v1.0 API endpoint', schema: url, default: 'https://api.dingtalk.com' },
  DINGTALK_OAPI_BASE: {
    help: 'DingTalk legacy API endpoint',
    schema: url,
    default: 'https://oapi.dingtalk.com',
  },
  DINGTALK_CALLBACK_WINDOW_SECONDS: {
    help: 'how far (seconds) a callback timestamp may be from now before it is rejected as stale',
    schema: z.coerce.number().int().min(30).max(86400),
    default: '300',
  },
  DINGTALK_MONTHLY_CALL_QUOTA: {
    help: 'metered DingTalk API calls the organisation may make per month (standard edition: 5000)',
    schema: z.coerce.number().int().min(100),
    default: '5000',
  },
  KEY_VAULT_URL: {
    help: 'https URL of the Key Vault the app reads runtime secrets from (mailbox app passwords, the Graph certificate), e.g. https://kv-sync.vault.azure.net',
    schema: url,
  },
  CONFLICT_POLICY: {
    help: 'who wins when both sides changed an item: newest-wins, prefer-dingtalk or prefer-outlook',
    schema: z.enum(['newest-wins', 'prefer-dingtalk', 'prefer-outlook']),
    default: 'newest-wins',
  },
  DELETE_POLICY: {
    help: 'what a deletion on one side does: propagate, or ignore (keep the other side, unlink)',
    schema: z.enum(['propagate', 'ignore']),
    default: 'propagate',
  },
  BULK_DELETE_MAX_SHARE: {
    help: 'largest share (0-1) of a folder one pull may delete before the breaker stops it',
    schema: z.coerce.number().min(0).max(1),
    default: '0.2',
  },
  DRY_RUN: {
    help: '"true" reports what would be written (audit rows with action dry-run) and writes nothing remote',
    schema: z.enum(['true', 'false']).transform((v) => v === 'true'),
    default: 'false',
  },
  CALENDAR_WINDOW_PAST_DAYS: {
    help: 'how many days back the calendar window reaches',
    schema: z.coerce.number().int().min(0).max(365),
    default: '30',
  },
  CALENDAR_WINDOW_FUTURE_DAYS: {
    help: 'how many days ahead the calendar window reaches',
    schema: z.coerce.number().int().min(1).max(1825),
    default: '365',
  },
  SYNC_KINDS: {
    help: 'what is synced, comma-separated: calendar, mail, todo, contact',
    schema: z
      .string()
      .transform((v) => [
        ...new Set(
          v
            .split(',')
            .map((k) => k.trim().toLowerCase())
            .filter(Boolean),
        ),
      ])
      .pipe(
        z
          .array(
            z.enum(['calendar', 'mail', 'todo', 'contact'], {
              error: 'each kind must be calendar, mail, todo or contact',
            }),
          )
          .min(1, 'name at least one kind'),
      ),
    default: 'calendar,mail',
  },
  MAIL_IMAP_HOST: {
    help: 'host name of the DingTalk mail IMAP server',
    schema: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name such as imap.dingtalk.com'),
    default: 'imap.dingtalk.com',
  },
  MAIL_IMAP_PORT: {
    help: 'TLS port of the DingTalk mail IMAP server (993)',
    schema: z.coerce.number().int().min(1).max(65535),
    default: '993',
  },
  MAIL_POLL_SECONDS: {
    help: 'seconds between polls of each DingTalk mailbox (IMAP has no push); Outlook mail is pushed',
    schema: z.coerce.number().int().min(15).max(3600),
    default: '60',
  },
  MAIL_LOOKBACK_DAYS: {
    help: 'how many days of mail the first sync of a mailbox copies and matches',
    schema: z.coerce.number().int().min(0).max(365),
    default: '30',
  },
  MAIL_SENT: {
    help: '"true" also syncs each Sent folder both ways, so a reply written in either tool completes the thread in both',
    schema: z.enum(['true', 'false']).transform((v) => v === 'true'),
    default: 'false',
  },
  MAIL_DELETES: {
    help: 'what deleting a synced mail does: keep (the copy stays, unlinked) or trash (the copy moves to Deleted Items / the trash folder)',
    schema: z.enum(['keep', 'trash']),
    default: 'keep',
  },
  TODO_POLL_SECONDS: {
    help: "seconds between polls of each user's to-dos (neither service pushes to-do changes to an app); DingTalk's side is polled no faster than the monthly call quota allows",
    schema: z.coerce.number().int().min(30).max(86400),
    default: '120',
  },
  TODO_TIME_ZONE: {
    help: 'IANA time zone of due dates and times, e.g. Asia/Shanghai (Outlook To Do keeps only the day of a due date)',
    schema: z.string().refine(isIanaZone, 'must be an IANA time zone name such as Asia/Shanghai'),
    default: 'Asia/Shanghai',
  },
  CONTACT_POLL_SECONDS: {
    help: 'seconds between polls of the external contacts (no change event exists); one DingTalk listing serves every user',
    schema: z.coerce.number().int().min(60).max(86400),
    default: '300',
  },
  CONTACT_COLLEAGUES: {
    help: 'optional colleagues folder: "department" gives each paired person the active members of their own DingTalk departments in an Outlook contact folder "DingTalk 同事", one way; "off" leaves it out (needs contact in SYNC_KINDS)',
    schema: z.enum(['off', 'department'], { error: 'must be off or department' }),
    default: 'off',
  },
  CONTACT_COLLEAGUES_MAX: {
    help: 'most colleagues one "DingTalk 同事" folder holds (1-5000), members of the smallest shared department first',
    schema: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(5000, 'must be at most 5000 (a first fill of 5,000 takes about 50 minutes per mailbox)'),
    default: '500',
  },
  AUDIT_RETENTION_DAYS: {
    help: 'days the audit table keeps its rows (ids, versions and actions)',
    schema: z.coerce.number().int().min(7).max(3650),
    default: '365',
  },
  AUDIT_DETAIL_DAYS: {
    help: 'days audit rows keep the content they hold (both versions of a conflict, an import issue report); at most AUDIT_RETENTION_DAYS',
    schema: z.coerce.number().int().min(1).max(3650),
    default: '90',
  },
  TIMER_SCHEDULE: {
    help: 'NCRONTAB schedule of the maintenance timer (renewals, polls, retries)',
    schema: z.string().regex(/^(\S+\s+){4,5}\S+$/, 'must be an NCRONTAB expression with 6 (or 5) fields'),
    default: '0 */1 * * * *',
  },
  PAIRING_OVERRIDES: {
    help: 'admin pairings that override e-mail matching: "dingtalkUserId=entraObjectId" entries separated by commas',
    schema: z
      .string()
      .regex(
        /^\s*[^=,\s]+\s*=\s*[0-9a-fA-F-]{36}\s*(,\s*[^=,\s]+\s*=\s*[0-9a-fA-F-]{36}\s*)*$/,
        'must look like "manager4220=0b6c…-…,user2=…" (Entra ids are GUIDs)',
      ),
  },
  PAIRING_INTERVAL_HOURS: {
    help: 'hours between full directory reads for pairing (directory callbacks also trigger one)',
    schema: z.coerce.number().min(1).max(168),
    default: '24',
  },
  OUTLOOK_SWEEP_MINUTES: {
    help: 'minutes between safety sweeps of each Outlook folder (catches notifications Graph lost)',
    schema: z.coerce.number().int().min(5).max(1440),
    default: '60',
  },
  DINGTALK_SWEEP_HOURS: {
    help: 'hours between safety sweeps of each DingTalk folder; each costs metered calls, mind the monthly quota',
    schema: z.coerce.number().min(1).max(168),
    default: '24',
  },
  STATUS_PAGE_KEY: {
    help: 'key that opens the status page in the sandbox (/api/status?key=…), at least 16 characters; in Azure the page admits only Entra sign-in with the Sync.Admin app role (docs/status-page.md)',
    schema: z.string().min(16, 'must be at least 16 characters'),
    secret: true,
  },
  WEBSITE_AUTH_ENABLED: {
    help: 'set by App Service itself: "True" when App Service Authentication (Entra sign-in) is on for the function app; only then does the status page trust the signed-in user the platform names',
    schema: z
      .string()
      .regex(/^(true|false)$/i, 'must be True or False')
      .transform((v) => v.toLowerCase() === 'true'),
    default: 'False',
  },
  LOG_LEVEL: {
    help: 'debug, info, warn or error',
    schema: z.enum(['debug', 'info', 'warn', 'error']),
    default: 'info',
  },
} satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/** Values the sandbox supplies for live-only settings; they are not secrets anywhere real. */
export const SANDBOX_DEFAULTS: Partial<Record<SettingName, string>> = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  GRAPH_TENANT_ID: 'sandbox-tenant',
  GRAPH_CLIENT_ID: 'sandbox-client',
  GRAPH_CLIENT_SECRET: 'sandbox-graph-secret',
  GRAPH_AUTHORITY_HOST: 'https://127.0.0.1:7443',
  GRAPH_BASE_URL: 'https://127.0.0.1:7443',
  DINGTALK_APP_KEY: 'dingsandboxappkey',
  DINGTALK_APP_SECRET: 'sandbox-dingtalk-secret',
  DINGTALK_CORP_ID: 'dingsandboxcorp',
  DINGTALK_CALLBACK_TOKEN: 'sandboxtoken',
  DINGTALK_CALLBACK_AES_KEY: '4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij',
  DINGTALK_API_BASE: 'http://127.0.0.1:7444',
  DINGTALK_OAPI_BASE: 'http://127.0.0.1:7444',
  MAIL_IMAP_HOST: '127.0.0.1',
  MAIL_IMAP_PORT: '7993',
  STATUS_PAGE_KEY: 'sandbox-status-page-key',
};

export interface Config {
  mode: 'sandbox' | 'live';
  storage: { connectionString?: string; accountName?: string; managedIdentityClientId?: string };
  publicBaseUrl: string;
  graph: {
    tenantId: string;
    clientId: string;
    credential: GraphCredential;
    /** For credential "secret". */
    clientSecret?: string;
    /** For credential "certificate": the Key Vault certificate, in the vault at keyVaultUrl. */
    certificateName?: string;
    authorityHost: string;
    baseUrl: string;
  };
  dingtalk: {
    appKey: string;
    appSecret: string;
    corpId: string;
    callbackToken: string;
    callbackAesKey: string;
    apiBase: string;
    oapiBase: string;
    callbackWindowSeconds: number;
    monthlyCallQuota: number;
  };
  keyVaultUrl?: string;
  sync: {
    conflictPolicy: 'newest-wins' | 'prefer-dingtalk' | 'prefer-outlook';
    deletePolicy: 'propagate' | 'ignore';
    bulkDeleteMaxShare: number;
    dryRun: boolean;
    calendarWindowPastDays: number;
    calendarWindowFutureDays: number;
  };
  /** The kinds synced for every pair. */
  kinds: Array<'calendar' | 'mail' | 'sentmail' | 'todo' | 'contact'>;
  todo: { pollIntervalMs: number; timeZone: string };
  contacts: { pollIntervalMs: number };
  /** The optional one-way colleagues folder (docs/contacts-colleagues.md). */
  colleagues: { mode: 'off' | 'department'; max: number };
  mail: {
    imapHost: string;
    imapPort: number;
    pollIntervalMs: number;
    lookBackDays: number;
    deletes: 'keep' | 'trash';
  };
  pairing: { overrides: Array<{ dingtalkUserId: string; entraId: string }> };
  schedule: { pairingIntervalMs: number; outlookSweepIntervalMs: number; dingtalkSweepIntervalMs: number };
  retention: { auditDays: number; detailDays: number };
  timerSchedule: string;
  /** Who may open the status page: a key in the sandbox, Entra sign-in (App Service Authentication) in Azure. */
  statusPage: { key?: string; easyAuthEnabled: boolean };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Every secret value, so the logger can keep them out of every line. */
  secretValues: string[];
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const rawMode = (env.SYNC_MODE ?? '').trim() || 'sandbox';
  const mode = rawMode === 'live' ? 'live' : 'sandbox';
  const values: Partial<Record<SettingName, unknown>> = {};
  const onLocalHost = env[LOCAL_HOST_MARKER] === '1';

  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    let raw = env[name]?.trim();
    if (raw === '') raw = undefined;
    if (raw !== undefined && KEY_VAULT_REFERENCE.test(raw)) {
      problems.push(unresolvedReference(name, raw, onLocalHost));
      continue;
    }
    if (raw === undefined && mode === 'sandbox') raw = SANDBOX_DEFAULTS[name];
    if (raw === undefined) raw = spec.default;
    if (raw === undefined) {
      if (mode === 'live' && spec.liveOnly) {
        problems.push(`${name} is missing: set it to the ${spec.help}.`);
      }
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${name} is invalid ${shown}: ${why}. Set it to the ${spec.help}.`);
      continue;
    }
    values[name] = parsed.data;
  }

  if (!values.AzureWebJobsStorage && !values.AzureWebJobsStorage__accountName) {
    problems.push(
      'AzureWebJobsStorage is missing: set it to a storage connection string, or set ' +
        'AzureWebJobsStorage__accountName (and AZURE_CLIENT_ID) to use the managed identity.',
    );
  }
  if (mode === 'live') {
    const publicUrl = values.PUBLIC_BASE_URL as string | undefined;
    if (publicUrl && !publicUrl.startsWith('https://')) {
      problems.push(
        'PUBLIC_BASE_URL must start with https:// in live mode: Graph only delivers to https endpoints.',
      );
    }
    problems.push(...placeholderProblems(values));
  }
  const kinds = values.SYNC_KINDS as string[] | undefined;
  if (mode === 'live' && kinds?.includes('mail') && !values.KEY_VAULT_URL) {
    problems.push(
      "KEY_VAULT_URL is missing: mail sync reads each DingTalk mailbox's app password from Key Vault; set it to the " +
        `${SETTINGS.KEY_VAULT_URL.help}, or take mail out of SYNC_KINDS.`,
    );
  }
  if (values.MAIL_SENT && !kinds?.includes('mail')) {
    problems.push(
      'MAIL_SENT is "true" but mail is not in SYNC_KINDS: add mail to SYNC_KINDS, or set MAIL_SENT to false.',
    );
  }
  if (values.CONTACT_COLLEAGUES === 'department' && !kinds?.includes('contact')) {
    problems.push(
      'CONTACT_COLLEAGUES is "department" but contact is not in SYNC_KINDS: the colleagues folder is part of contact ' +
        'sync (same Contacts.ReadWrite permission, same Outlook contact folders); add contact to SYNC_KINDS, or set ' +
        'CONTACT_COLLEAGUES to off.',
    );
  }
  const graphCredential = graphCredentialOf(values, env);
  problems.push(...graphCredentialProblems(graphCredential, values, env, mode));
  if (
    typeof values.AUDIT_DETAIL_DAYS === 'number' &&
    typeof values.AUDIT_RETENTION_DAYS === 'number' &&
    values.AUDIT_DETAIL_DAYS > values.AUDIT_RETENTION_DAYS
  ) {
    problems.push(
      `AUDIT_DETAIL_DAYS (${values.AUDIT_DETAIL_DAYS}) is longer than AUDIT_RETENTION_DAYS (${values.AUDIT_RETENTION_DAYS}): ` +
        'content cannot outlive the rows that hold it; lower AUDIT_DETAIL_DAYS or raise AUDIT_RETENTION_DAYS.',
    );
  }
  if (mode === 'live' && values.STATUS_PAGE_KEY !== undefined) {
    problems.push(
      'STATUS_PAGE_KEY is set but SYNC_MODE is live: in Azure the status page admits only Entra sign-in (App ' +
        'Service Authentication with the Sync.Admin app role, docs/status-page.md); remove STATUS_PAGE_KEY.',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const str = (n: SettingName) => values[n] as string;
  const num = (n: SettingName) => values[n] as number;
  const secretValues = (Object.entries(SETTINGS) as [SettingName, SettingSpec][])
    .filter(([n, s]) => s.secret && typeof values[n] === 'string')
    .map(([n]) => str(n))
    .concat(accountKeysIn(str('AzureWebJobsStorage')));
  // Registered here, not by callers, so that no code path can log a setting before it is protected.
  for (const value of secretValues) registerSecret(value);

  return {
    mode,
    storage: {
      connectionString: values.AzureWebJobsStorage as string | undefined,
      accountName: values.AzureWebJobsStorage__accountName as string | undefined,
      managedIdentityClientId: values.AZURE_CLIENT_ID as string | undefined,
    },
    publicBaseUrl: str('PUBLIC_BASE_URL').replace(/\/+$/, ''),
    graph: {
      tenantId: str('GRAPH_TENANT_ID'),
      clientId: str('GRAPH_CLIENT_ID'),
      credential: graphCredential,
      clientSecret: values.GRAPH_CLIENT_SECRET as string | undefined,
      certificateName: values.GRAPH_CERTIFICATE_NAME as string | undefined,
      authorityHost: str('GRAPH_AUTHORITY_HOST').replace(/\/+$/, ''),
      baseUrl: str('GRAPH_BASE_URL').replace(/\/+$/, ''),
    },
    dingtalk: {
      appKey: str('DINGTALK_APP_KEY'),
      appSecret: str('DINGTALK_APP_SECRET'),
      corpId: str('DINGTALK_CORP_ID'),
      callbackToken: str('DINGTALK_CALLBACK_TOKEN'),
      callbackAesKey: str('DINGTALK_CALLBACK_AES_KEY'),
      apiBase: str('DINGTALK_API_BASE').replace(/\/+$/, ''),
      oapiBase: str('DINGTALK_OAPI_BASE').replace(/\/+$/, ''),
      callbackWindowSeconds: num('DINGTALK_CALLBACK_WINDOW_SECONDS'),
      monthlyCallQuota: num('DINGTALK_MONTHLY_CALL_QUOTA'),
    },
    keyVaultUrl: values.KEY_VAULT_URL as string | undefined,
    sync: {
      conflictPolicy: values.CONFLICT_POLICY as Config['sync']['conflictPolicy'],
      deletePolicy: values.DELETE_POLICY as Config['sync']['deletePolicy'],
      bulkDeleteMaxShare: num('BULK_DELETE_MAX_SHARE'),
      dryRun: values.DRY_RUN as boolean,
      calendarWindowPastDays: num('CALENDAR_WINDOW_PAST_DAYS'),
      calendarWindowFutureDays: num('CALENDAR_WINDOW_FUTURE_DAYS'),
    },
    kinds: [
      ...(values.SYNC_KINDS as Config['kinds']),
      ...(values.MAIL_SENT && kinds?.includes('mail') ? (['sentmail'] as const) : []),
    ],
    mail: {
      imapHost: str('MAIL_IMAP_HOST'),
      imapPort: num('MAIL_IMAP_PORT'),
      pollIntervalMs: num('MAIL_POLL_SECONDS') * 1000,
      lookBackDays: num('MAIL_LOOKBACK_DAYS'),
      deletes: values.MAIL_DELETES as Config['mail']['deletes'],
    },
    todo: { pollIntervalMs: num('TODO_POLL_SECONDS') * 1000, timeZone: str('TODO_TIME_ZONE') },
    contacts: { pollIntervalMs: num('CONTACT_POLL_SECONDS') * 1000 },
    colleagues: {
      mode: values.CONTACT_COLLEAGUES as Config['colleagues']['mode'],
      max: num('CONTACT_COLLEAGUES_MAX'),
    },
    pairing: { overrides: parseOverrides(values.PAIRING_OVERRIDES as string | undefined) },
    schedule: {
      pairingIntervalMs: num('PAIRING_INTERVAL_HOURS') * 3600e3,
      outlookSweepIntervalMs: num('OUTLOOK_SWEEP_MINUTES') * 60e3,
      dingtalkSweepIntervalMs: num('DINGTALK_SWEEP_HOURS') * 3600e3,
    },
    retention: { auditDays: num('AUDIT_RETENTION_DAYS'), detailDays: num('AUDIT_DETAIL_DAYS') },
    timerSchedule: str('TIMER_SCHEDULE'),
    statusPage: {
      key: values.STATUS_PAGE_KEY as string | undefined,
      easyAuthEnabled: values.WEBSITE_AUTH_ENABLED as boolean,
    },
    logLevel: values.LOG_LEVEL as Config['logLevel'],
    secretValues: secretValues.filter((s) => s.length >= 4),
  };
}

/**
 * Sample and template placeholders pass every format check yet fail at the first token request, far from the
 * setting that caused it, so live mode refuses them at start: a GUID of one repeated digit, "xxxx", "dingxxxx…",
 * "<…>", "${…}" (an environment variable nobody substituted), "changeme" and the like.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    /^[0x*]+$/i.test(v.replace(/-/g, '')) ||
    /^([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}$/i.test(v) ||
    /^ding(x{3,}|\*+|\.{3,})$/i.test(v) ||
    /^<.*>$|^\$\{.*\}$|^\{\{.*\}\}$/.test(v) ||
    /^(change[-_ ]?me|replace[-_ ]?me|placeholder|your[-_ ].*|todo|tbd|none|null|undefined)$/i.test(v)
  );
}

/** Where an admin finds the real value of the identifiers the sample and the template leave to be filled in. */
const WHERE_TO_FIND: Partial<Record<SettingName, string>> = {
  GRAPH_TENANT_ID: 'the Entra tenant id, a GUID: az account show --query tenantId -o tsv',
  GRAPH_CLIENT_ID:
    "the Application (client) ID, a GUID, on the app registration's Overview page (Entra admin center › App registrations)",
  DINGTALK_APP_KEY:
    'the Client ID (AppKey) on the Credentials page of the internal app in the DingTalk developer console',
  DINGTALK_CORP_ID:
    'the CorpId of the organisation, shown in the DingTalk developer console (starts with "ding")',
};

function placeholderProblems(values: Partial<Record<SettingName, unknown>>): string[] {
  return (Object.entries(SETTINGS) as [SettingName, SettingSpec][])
    .filter(
      ([name, spec]) =>
        (spec.liveOnly || spec.secret) && typeof values[name] === 'string' && isPlaceholder(values[name]),
    )
    .map(([name, spec]) => {
      const shown = spec.secret ? '(hidden)' : JSON.stringify(values[name]);
      return `${name} holds a placeholder, ${shown}: set it to ${WHERE_TO_FIND[name] ?? `the ${spec.help}`}.`;
    });
}

/**
 * Only Azure resolves Key Vault references; the local host passes them through as text. The reference names a
 * vault and a secret, not the secret's value, so it is shown whole.
 */
function unresolvedReference(name: string, reference: string, onLocalHost: boolean): string {
  if (onLocalHost) {
    return (
      `${name} holds a Key Vault reference, ${reference}, which the local host does not resolve: ` +
      `put the plain value in local.settings.json ("Values") instead.`
    );
  }
  return (
    `${name} holds a Key Vault reference Azure did not resolve, ${reference}: check that the app's identity has ` +
    `the "Key Vault Secrets User" role on that vault and the secret exists, and that the reference reads ` +
    `@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<secret>/) or ` +
    `@Microsoft.KeyVault(VaultName=<vault>;SecretName=<secret>); then restart the app.`
  );
}

export type GraphCredential = 'managed-identity' | 'certificate' | 'secret';

/**
 * GRAPH_CREDENTIAL, or when unset: secret if a client secret is given (deployments made before the setting existed
 * keep working), else managed-identity (the template's default, which needs no secret at all).
 */
function graphCredentialOf(values: Partial<Record<SettingName, unknown>>, env: Env): GraphCredential {
  const chosen = values.GRAPH_CREDENTIAL as GraphCredential | undefined;
  if (chosen) return chosen;
  return values.GRAPH_CLIENT_SECRET !== undefined || env.GRAPH_CLIENT_SECRET?.trim()
    ? 'secret'
    : 'managed-identity';
}

function graphCredentialProblems(
  credential: GraphCredential,
  values: Partial<Record<SettingName, unknown>>,
  env: Env,
  mode: Config['mode'],
): string[] {
  const chosen = values.GRAPH_CREDENTIAL
    ? `GRAPH_CREDENTIAL is ${credential}`
    : `GRAPH_CREDENTIAL is not set`;
  const problems: string[] = [];
  // Only when nothing was given: a value given but unusable has its own problem already.
  if (
    credential === 'secret' &&
    !env.GRAPH_CLIENT_SECRET?.trim() &&
    values.GRAPH_CLIENT_SECRET === undefined
  ) {
    problems.push(
      `GRAPH_CLIENT_SECRET is missing: set it to the ${SETTINGS.GRAPH_CLIENT_SECRET.help}, or set GRAPH_CREDENTIAL ` +
        'to managed-identity (no secret) or certificate.',
    );
  }
  if (credential === 'certificate') {
    if (!values.GRAPH_CERTIFICATE_NAME) {
      problems.push(
        `GRAPH_CERTIFICATE_NAME is missing: ${chosen}, so set it to the ${SETTINGS.GRAPH_CERTIFICATE_NAME.help}.`,
      );
    }
    if (!values.KEY_VAULT_URL) {
      problems.push(
        `KEY_VAULT_URL is missing: ${chosen} and the certificate is read from Key Vault; set it to the ` +
          `${SETTINGS.KEY_VAULT_URL.help}.`,
      );
    }
  }
  if (credential === 'managed-identity' && mode === 'live' && !values.AZURE_CLIENT_ID) {
    problems.push(
      `AZURE_CLIENT_ID is missing: ${chosen}${values.GRAPH_CREDENTIAL ? '' : ' and no GRAPH_CLIENT_SECRET is set'}, ` +
        "so the app signs in to Entra as its user-assigned managed identity: set AZURE_CLIENT_ID to that identity's " +
        'client id and give the app registration a federated credential for it (docs/graph.md), or set ' +
        'GRAPH_CLIENT_SECRET.',
    );
  }
  return problems;
}

function parseOverrides(text: string | undefined): Config['pairing']['overrides'] {
  if (!text) return [];
  return text.split(',').map((entry) => {
    const [dingtalkUserId, entraId] = entry.split('=').map((part) => part.trim());
    return { dingtalkUserId, entraId: entraId.toLowerCase() };
  });
}

function accountKeysIn(connectionString: string | undefined): string[] {
  if (!connectionString) return [];
  const match = /AccountKey=([^;]+)/i.exec(connectionString);
  return match ? [match[1]] : [];
}

let cached: Config | undefined;

/** The process-wide configuration, validated on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Tests and the local host re-read settings after changing the environment. */
export function resetConfigForTests(): void {
  cached = undefined;
}

function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.includes('/') || name === 'UTC';
  } catch {
    return false;
  }
}
