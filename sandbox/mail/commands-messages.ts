import { deletedUids, KEYWORDS_REFUSED, parseFlags, READ_ONLY } from './commands-mailbox';
import { parseFetchItems, renderFetch, setsSeen } from './fetch';
import { parseSequenceSet, matching } from './sequence-set';
import { flagList, INVALID, type Command, type CommandSpec, type Reply, type Session } from './session';
import { text } from './tokens';
import { compactSet } from './wire';

/**
 * Message commands in the selected state, each also as a UID command (RFC 3501 §6.4.4–§6.4.8; UID EXPUNGE and
 * COPYUID from UIDPLUS, RFC 4315). SEARCH accepts only what the real server is known to accept (go-gitea/gitea#32504, emersion/go-imap#638, afterlogic/webmail-lite-8#56).
 */

const ok = (textLine: string): Reply => ({ status: 'OK', text: textLine });

const fetch: CommandSpec = {
  state: 'selected',
  run(s, c) {
    const items = parseFetchItems(c.args[1]);
    const targets = s.targets(text(c.args[0]), c.byUid);
    // A third argument would be a CONDSTORE modifier such as (CHANGEDSINCE n): not advertised, so refused.
    if (!items || !targets || c.args.length !== 2) return INVALID;
    if (c.byUid && !items.some((i) => i.kind === 'UID')) items.unshift({ kind: 'UID' });
    const markSeen = setsSeen(items) && !s.selected!.readOnly;
    for (const { seq, message } of targets) {
      let shown = items;
      if (markSeen && !message.flags.has('\\Seen')) {
        s.ctx.store.setFlags(s.account!, s.selected!.folder, message, [...message.flags, '\\Seen']);
        // RFC 3501 §6.4.5: the changed FLAGS go out with the same FETCH response.
        if (!items.some((i) => i.kind === 'FLAGS')) shown = [...items, { kind: 'FLAGS' }];
      }
      s.noteFlags(message);
      s.untagged(`${seq} FETCH (`, ...renderFetch(message, flagList(message), shown), ')');
    }
    return ok(`${c.name} completed`);
  },
};

const store: CommandSpec = {
  state: 'selected',
  run(s, c) {
    const targets = s.targets(text(c.args[0]), c.byUid);
    const item = c.args[1]?.kind === 'atom' ? /^([+-]?)FLAGS(\.SILENT)?$/i.exec(c.args[1].value) : null;
    const flagTokens = c.args[2]?.kind === 'list' ? c.args[2].items : c.args.slice(2);
    const flags = parseFlags(flagTokens);
    if (!targets || !item || !flags || (c.args[2]?.kind === 'list' && c.args.length !== 3)) return INVALID;
    if (flags.some((f) => f === undefined)) return KEYWORDS_REFUSED;
    if (s.selected!.readOnly) return READ_ONLY;
    const [, mode, silent] = item;
    for (const { seq, message } of targets) {
      const next = new Set(mode === '' ? [] : message.flags);
      for (const f of flags as string[]) {
        if (mode === '-') next.delete(f);
        else next.add(f);
      }
      const same = next.size === message.flags.size && [...next].every((f) => message.flags.has(f));
      if (!same) s.ctx.store.setFlags(s.account!, s.selected!.folder, message, next);
      s.noteFlags(message);
      if (silent) continue;
      const uid = c.byUid ? `UID ${message.uid} ` : '';
      s.untagged(`${seq} FETCH (${uid}FLAGS (${flagList(message).join(' ')}))`);
    }
    return ok(`${c.name} completed`);
  },
};

const copy: CommandSpec = {
  state: 'selected',
  run(s, c) {
    const targets = s.targets(text(c.args[0]), c.byUid);
    const destName = text(c.args[1]);
    if (!targets || destName === undefined || c.args.length !== 2) return INVALID;
    const dest = s.ctx.store.folderByWire(s.account!, destName);
    if (!dest) return { status: 'NO', text: '[TRYCREATE] mailbox does not exist' };
    const from: number[] = [];
    const to: number[] = [];
    for (const { message } of targets) {
      from.push(message.uid);
      to.push(s.ctx.store.append(s.account!, dest, message.raw, message.flags, message.internalDate).uid);
    }
    if (!from.length) return ok(`${c.name} completed`);
    return ok(`[COPYUID ${dest.uidValidity} ${compactSet(from)} ${compactSet(to)}] ${c.name} completed`);
  },
};

const search: CommandSpec = {
  state: 'selected',
  run(s, c) {
    const result = evaluateSearch(s, c);
    if (!result) return INVALID;
    s.untagged(['SEARCH', ...result].join(' '));
    return ok(`${c.name} completed`);
  },
};

/** ALL, SEEN, UNSEEN and UID <set>, ANDed; anything else (CHARSET included) is what Alibaba answers BAD to. */
function evaluateSearch(s: Session, c: Command): number[] | undefined {
  const view = s.selected!;
  const present = new Map(view.folder.messages.map((m) => [m.uid, m]));
  let uids = view.uids.filter((uid) => present.has(uid));
  if (c.args.length === 0) return undefined;
  for (let i = 0; i < c.args.length; i++) {
    const key = c.args[i].kind === 'atom' ? (c.args[i] as { value: string }).value.toUpperCase() : '';
    if (key === 'ALL') continue;
    if (key === 'SEEN' || key === 'UNSEEN') {
      const wanted = key === 'SEEN';
      uids = uids.filter((uid) => present.get(uid)!.flags.has('\\Seen') === wanted);
    } else if (key === 'UID') {
      const set = parseSequenceSet(text(c.args[++i]) ?? '');
      if (!set) return undefined;
      const chosen = new Set(matching(set, view.uids, view.uids[view.uids.length - 1] ?? 0));
      uids = uids.filter((uid) => chosen.has(uid));
    } else {
      return undefined;
    }
  }
  if (c.byUid) return uids;
  return uids.map((uid) => view.uids.indexOf(uid) + 1);
}

const uidExpunge: CommandSpec = {
  state: 'selected',
  run(s, c) {
    const targets = s.targets(text(c.args[0]), true);
    if (!targets || c.args.length !== 1) return INVALID;
    if (s.selected!.readOnly) return READ_ONLY;
    const { folder } = s.selected!;
    const deleted = deletedUids(folder);
    const chosen = new Set(targets.map((t) => t.message.uid).filter((uid) => deleted.has(uid)));
    s.ctx.store.expunge(s.account!, folder, chosen);
    return ok('UID EXPUNGE completed');
  },
};

export const messageCommands: Record<string, CommandSpec> = {
  FETCH: fetch,
  'UID FETCH': fetch,
  STORE: store,
  'UID STORE': store,
  COPY: copy,
  'UID COPY': copy,
  SEARCH: search,
  'UID SEARCH': search,
  'UID EXPUNGE': uidExpunge,
};
