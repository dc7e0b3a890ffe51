/**
 * Structured logging with secrets kept out. Three guards: known secret values are masked wherever they appear,
 * fields whose names look secret are masked whatever they hold, and credentials in recognisable shapes
 * (bearer tokens, secret=... pairs, "token": "..." inside text) are masked even when nobody registered them.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
export type LogSink = (level: LogLevel, line: string) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD =
  /secret|password|passwd|token|authorization|aes.?key|client.?state|signature|cookie|accountkey|api.?key|private.?key|access.?key|credential|connection.?string|sig$/i;
const MASK = '[redacted]';
const MAX_DEPTH = 6;

/** Credentials in the shapes they take inside error messages, URLs and response bodies. */
const SECRET_NAMES =
  'access_token|refresh_token|id_token|client_secret|client_assertion|password|passwd|sig|code|token|secret|clientState|AccountKey|SharedAccessSignature|SharedAccessKey';
const SHAPES: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${MASK}`],
  [new RegExp(`\\b(${SECRET_NAMES})=[^&\\s;,"']+`, 'gi'), `$1=${MASK}`],
  [
    new RegExp(
      `"(${SECRET_NAMES}|authorization|clientSecret|appSecret|accessToken|refreshToken)"\\s*:\\s*"[^"]*"`,
      'gi',
    ),
    `"$1":"${MASK}"`,
  ],
];

const knownSecrets = new Set<string>();
/** Longest first, so that a secret containing another is masked whole rather than leaving its remainder. */
let ordered: string[] = [];

/** Registers values that must never appear in a log line (config secrets, tokens fetched at run time). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4 && !knownSecrets.has(value)) {
    knownSecrets.add(value);
    ordered = [...knownSecrets].sort((a, b) => b.length - a.length);
  }
}

export function redactText(text: string): string {
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const [shape, replacement] of SHAPES) out = out.replace(shape, replacement);
  return out;
}

function redactValue(key: string, value: unknown, depth: number): unknown {
  if (SECRET_FIELD.test(key) && value !== undefined && value !== null && value !== '') return MASK;
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  // Also what stops a circular structure from making JSON.stringify throw.
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redactValue('', v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(k, v, depth + 1);
  return out;
}

export function formatLine(level: LogLevel, message: string, fields: LogFields): string {
  const safe = redactValue('', fields, 0) as LogFields;
  return JSON.stringify({ t: new Date().toISOString(), level, msg: redactText(message), ...safe });
}

/**
 * The Functions Node worker captures the console methods (not raw stdout writes) and forwards them to the host,
 * which sends them to Application Insights with the matching severity.
 */
const consoleSink: LogSink = (level, line) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else if (level === 'debug') console.debug(line);
  else console.info(line);
};

export function createLogger(options: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? consoleSink;
  const base = options.fields ?? {};
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    sink(level, formatLine(level, message, { ...base, ...fields }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ level: options.level, sink, fields: { ...base, ...fields } }),
  };
}
