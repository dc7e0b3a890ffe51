import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createAppContext } from '../../shared/app/context';
import { createServices } from '../../shared/app/services';
import {
  groupsOf,
  parseHeader,
  parseLine,
  PLAN_FORMAT,
  PlanError,
  planned,
  type PlanHeader,
  type UndoLine,
} from '../../shared/app/undo/plan';
import type { UndoScope } from '../../shared/app/undo/selection';
import { KindNotConfiguredError, undoDepsFrom } from '../../shared/app/undo/undo-deps';
import { applyUndo, dryRunUndo, type UndoRunDeps, type UndoSummary } from '../../shared/app/undo/undo-run';
import { ConfigError, loadConfig } from '../../shared/platform/config';
import { createLogger, redactText } from '../../shared/platform/logger';
import type { UserPair } from '../../shared/store/types';
import type { Kind } from '../../shared/sync/types';
import { settingsFrom } from '../preflight';
import { UsageError } from './args';
import { parseUndoArgs, UNDO_USAGE, type UndoRequest } from './undo-args';
import { findPairByIdOrAddress } from '../../shared/store/find-pair';

/**
 * `npm run admin -- undo …` (docs/undo.md): the dry run lists and writes a plan; the apply follows a plan. Output
 * is one tab-separated line per item (action, user, kind, side, copied at, id, subject, reason), then a summary.
 */

export interface UndoIO {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(text: string): void;
}

/** Undo's ports for one kind, and what to close after. Tests pass their own; otherwise built from the settings. */
export type UndoOpen = (kind: Kind) => Promise<{ deps: UndoRunDeps; close(): Promise<void> }>;

export async function runUndo(argv: string[], io: UndoIO, open?: UndoOpen): Promise<number> {
  let request: UndoRequest;
  try {
    request = parseUndoArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${UNDO_USAGE}\n`);
    return 2;
  }
  if (request.kind === 'undo-help') {
    io.out(UNDO_USAGE);
    return 0;
  }
  let header: PlanHeader | undefined;
  try {
    header = request.kind === 'undo-apply' ? await readHeader(request.plan) : undefined;
    const kind = header?.kind ?? (request as { syncKind: Kind }).syncKind;
    const opened = await (open ?? openFromSettings(io.env))(kind);
    try {
      const summary =
        request.kind === 'undo-apply'
          ? await apply(opened.deps, request.plan, header!, io)
          : await dryRun(opened.deps, request, io);
      return summary.actions.failed > 0 ? 1 : 0;
    } finally {
      await opened.close();
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof PlanError || err instanceof KindNotConfiguredError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`the settings are not usable, so nothing was done:\n${err.message}\n`);
      return 2;
    }
    io.err(`${redactText(String((err as Error)?.message ?? err).split('\n')[0])}\n`);
    return 1;
  }
}

async function dryRun(
  deps: UndoRunDeps,
  request: Extract<UndoRequest, { kind: 'undo-dry-run' }>,
  io: UndoIO,
): Promise<UndoSummary> {
  const scope: UndoScope = {
    kind: request.syncKind,
    fromMs: request.fromMs,
    toMs: request.toMs,
    ...(request.side ? { side: request.side } : {}),
  };
  const pair = request.user ? await findPair(deps, request.user) : undefined;
  const header: PlanHeader = {
    format: PLAN_FORMAT,
    kind: scope.kind,
    who: pair ? { pairId: pair.pairId } : 'all',
    ...(scope.side ? { side: scope.side } : {}),
    from: new Date(scope.fromMs).toISOString(),
    to: new Date(scope.toMs).toISOString(),
    listedAt: new Date(deps.now()).toISOString(),
  };
  const plan = request.out ? await openPlan(request.out, header) : undefined;
  io.out(COLUMNS);
  let summary: UndoSummary;
  try {
    summary = await dryRunUndo(deps, scope, header.who, async (lines) => {
      for (const line of lines) io.out(rowOf(line));
      if (plan) await writeLines(plan, lines);
    });
  } finally {
    if (plan) await closePlan(plan);
  }
  const a = summary.actions;
  io.out('');
  io.out(
    `dry run, nothing changed: ${describe(header)}: ${a.remove} cop${a.remove === 1 ? 'y' : 'ies'} would be removed ` +
      `(dingtalk ${summary.bySide.dingtalk}, outlook ${summary.bySide.outlook}), ${a.gone} already gone, ` +
      `${a.skip} skipped, ${a.failed} not read; ${summary.done} removed by an earlier undo.`,
  );
  if (summary.unknown > 0) {
    io.out(
      `${summary.unknown} link${summary.unknown === 1 ? '' : 's'} of this user and kind predate the recording of ` +
        'origins: undo cannot tell their copies and leaves them (docs/undo.md).',
    );
  }
  if (!request.out)
    io.out('to remove them, run this again with --out <plan file>, then --apply --plan <plan file>.');
  else
    io.out(
      `plan written to ${request.out}; to remove them: npm run admin -- undo --apply --plan ${request.out}`,
    );
  return summary;
}

async function apply(deps: UndoRunDeps, path: string, header: PlanHeader, io: UndoIO): Promise<UndoSummary> {
  let count = 0;
  for await (const line of planLines(path, header)) if (planned(line)) count += 1;
  io.out(
    `applying ${path}: ${describe(header)}, listed ${header.listedAt}: ${count} item${count === 1 ? '' : 's'}`,
  );
  io.out(COLUMNS);
  const scope: UndoScope = {
    kind: header.kind,
    fromMs: Date.parse(header.from),
    toMs: Date.parse(header.to),
    ...(header.side ? { side: header.side } : {}),
  };
  const summary = await applyUndo(deps, scope, groupsOf(onlyPlanned(planLines(path, header))), (lines) => {
    for (const line of lines) io.out(rowOf(line));
  });
  const a = summary.actions;
  io.out('');
  io.out(
    `removed ${a.removed} (dingtalk ${summary.bySide.dingtalk}, outlook ${summary.bySide.outlook}), ` +
      `${a.gone} already gone, ${a.skip} left as they are, ${a.failed} failed` +
      (a.failed ? ': run the same command again to finish them' : '') +
      '. Every removal is in the audit (action undo).',
  );
  return summary;
}

const COLUMNS = ['action', 'user', 'kind', 'side', 'copied at', 'id', 'subject', 'reason'].join('\t');

function rowOf(line: UndoLine): string {
  const clean = (text: string | undefined) => (text ?? '').replace(/[\t\r\n]+/g, ' ');
  return [line.action, line.user, line.kind, line.side, line.copiedAt, line.id, line.subject, line.reason]
    .map(clean)
    .join('\t');
}

function describe(header: PlanHeader): string {
  const who = header.who === 'all' ? 'every user' : `user ${header.who.pairId}`;
  const side = header.side ? ` on ${header.side}` : '';
  return `${header.kind} copies${side} made from ${header.from} to ${header.to} for ${who}`;
}

/** `--user` takes a pair id (the Entra object id) or an address; an address is found by one walk of the users. */
async function findPair(deps: UndoRunDeps, who: string): Promise<UserPair> {
  const pair = await findPairByIdOrAddress(deps.users, who);
  if (!pair) throw new UsageError(`no paired user ${JSON.stringify(who)}`);
  return pair;
}

/** The plan's first line only: a plan for every user can be larger than memory holds as one string. */
async function readHeader(path: string): Promise<PlanHeader> {
  const input = createReadStream(path, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let first = '';
  try {
    for await (const text of lines) {
      first = text;
      break;
    }
  } catch (err) {
    throw new PlanError(`cannot read the plan ${path}: ${(err as Error).message}`);
  } finally {
    lines.close();
    input.destroy();
  }
  return parseHeader(first);
}

async function* planLines(path: string, header: PlanHeader): AsyncGenerator<UndoLine> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (number === 1 || text.trim() === '') continue;
    yield parseLine(text, number, header);
  }
}

async function* onlyPlanned(lines: AsyncIterable<UndoLine>): AsyncGenerator<UndoLine> {
  for await (const line of lines) if (planned(line)) yield line;
}

async function openPlan(path: string, header: PlanHeader): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) =>
      reject(
        new PlanError(
          `cannot write the plan ${path}: ${err.message} (an existing file is never overwritten)`,
        ),
      ),
    );
  });
  await writeText(stream, `${JSON.stringify(header)}\n`);
  return stream;
}

async function writeLines(stream: WriteStream, lines: UndoLine[]): Promise<void> {
  await writeText(stream, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}

async function writeText(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closePlan(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

/** The app's own composition root from the settings the app reads (environment, then local.settings.json). */
function openFromSettings(env: UndoIO['env']): UndoOpen {
  return async (kind) => {
    let localSettings: string | undefined;
    try {
      localSettings = await readFile('local.settings.json', 'utf8');
    } catch {
      localSettings = undefined;
    }
    const config = loadConfig(settingsFrom(env, localSettings));
    const app = createAppContext(config, { log: createLogger({ level: 'error' }) });
    const services = createServices(app);
    const close = async () => {
      await services.close();
      await app.stores.dingtalkCalls.flush?.();
    };
    try {
      return { deps: undoDepsFrom(app, services, kind), close };
    } catch (err) {
      await close();
      throw err;
    }
  };
}
