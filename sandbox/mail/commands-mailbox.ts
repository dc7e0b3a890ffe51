import { INVALID, type CommandSpec, type Reply, type Session } from './session';
import { canonicalFlag, PERMANENT_FLAGS, type Folder } from './store';
import { text, type Token } from './tokens';
import { decodeMailboxName } from './utf7';
import { parseInternalDate } from './wire';

/**
 * Folder-level commands: SELECT/EXAMINE, LIST/XLIST/LSUB, STATUS, CREATE/DELETE/RENAME, (UN)SUBSCRIBE, APPEND,
 * EXPUNGE, CLOSE and IDLE (RFC 3501 §6.3, §6.4; XLIST as Gmail documented it; IDLE RFC 2177; APPENDUID RFC 4315).
 */

const ok = (textLine: string): Reply => ({ status: 'OK', text: textLine });
const NO_MAILBOX: Reply = { status: 'NO', text: 'mailbox does not exist' };
const DELIMITER = '/';

function folderArg(s: Session, token: Token | undefined): Folder | undefined {
  const name = text(token);
  return name === undefined ? undefined : s.ctx.store.folderByWire(s.account!, name);
}

function quoted(wire: string): string {
  return `"${wire.replace(/(["\\])/g, '\\$1')}"`;
}

function selectCommand(readOnly: boolean): CommandSpec {
  return {
    state: 'authenticated',
    run(s, c) {
      s.selected = undefined;
      if (c.args.length !== 1 || text(c.args[0]) === undefined) return INVALID;
      const folder = folderArg(s, c.args[0]);
      if (!folder) return NO_MAILBOX;
      const view = s.select(folder, readOnly);
      const firstUnseen = folder.messages.findIndex((m) => !m.flags.has('\\Seen'));
      const flags = `(${PERMANENT_FLAGS.join(' ')})`;
      // The order and wording of a real SELECT answer (reference: go-imap#638). RECENT is always 0 there too.
      s.untagged(`${view.uids.length} EXISTS`);
      s.untagged('0 RECENT');
      if (firstUnseen >= 0) s.untagged(`OK [UNSEEN ${firstUnseen + 1}]`);
      s.untagged(`OK [UIDNEXT ${folder.uidNext}] Predicted next UID.`);
      s.untagged(`OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid.`);
      s.untagged(`FLAGS ${flags}`);
      s.untagged(`OK [PERMANENTFLAGS ${readOnly ? '()' : flags}] Limited.`);
      return readOnly ? ok('[READ-ONLY] EXAMINE completed') : ok('[READ-WRITE] SELECT completed');
    },
  };
}

/** LIST, LSUB and XLIST: `*` matches anything, `%` anything but the delimiter (RFC 3501 §6.3.8). */
function listCommand(verb: 'LIST' | 'LSUB' | 'XLIST'): CommandSpec {
  return {
    state: 'authenticated',
    run(s, c) {
      const reference = text(c.args[0]);
      const pattern = text(c.args[1]);
      if (c.args.length !== 2 || reference === undefined || pattern === undefined) return INVALID;
      if (pattern === '') {
        s.untagged(`${verb} (\\Noselect) "${DELIMITER}" ""`);
        return ok(`${verb} completed`);
      }
      const full = reference + pattern;
      const source = full
        .split('')
        .map((ch) => (ch === '*' ? '.*' : ch === '%' ? '[^/]*' : ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      const re = new RegExp(`^${source}$`, /^inbox$/i.test(full) ? 'i' : '');
      for (const folder of s.account!.folders) {
        if (!re.test(folder.wire) || (verb === 'LSUB' && !folder.subscribed)) continue;
        const flags = ['\\HasNoChildren'];
        if (verb === 'XLIST' && folder.wire === 'INBOX') flags.push('\\Inbox');
        if (verb === 'XLIST' && folder.specialUse) flags.push(folder.specialUse);
        s.untagged(`${verb} (${flags.join(' ')}) "${DELIMITER}" ${quoted(folder.wire)}`);
      }
      return ok(`${verb} completed`);
    },
  };
}

const STATUS_ITEMS: Record<string, (f: Folder) => number> = {
  MESSAGES: (f) => f.messages.length,
  RECENT: () => 0,
  UIDNEXT: (f) => f.uidNext,
  UIDVALIDITY: (f) => f.uidValidity,
  UNSEEN: (f) => f.messages.filter((m) => !m.flags.has('\\Seen')).length,
};

function subscribeCommand(subscribed: boolean): CommandSpec {
  return {
    state: 'authenticated',
    run(s, c) {
      const folder = folderArg(s, c.args[0]);
      if (c.args.length !== 1) return INVALID;
      if (!folder) return NO_MAILBOX;
      folder.subscribed = subscribed;
      return ok(`${subscribed ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} completed`);
    },
  };
}

export const mailboxCommands: Record<string, CommandSpec> = {
  SELECT: selectCommand(false),
  EXAMINE: selectCommand(true),
  LIST: listCommand('LIST'),
  LSUB: listCommand('LSUB'),
  XLIST: listCommand('XLIST'),
  SUBSCRIBE: subscribeCommand(true),
  UNSUBSCRIBE: subscribeCommand(false),

  STATUS: {
    state: 'authenticated',
    run(s, c) {
      const items = c.args[1];
      if (c.args.length !== 2 || items.kind !== 'list' || items.items.length === 0) return INVALID;
      const names = items.items.map((t) => (t.kind === 'atom' ? t.value.toUpperCase() : ''));
      if (names.some((n) => !STATUS_ITEMS[n])) return INVALID;
      const folder = folderArg(s, c.args[0]);
      if (!folder) return NO_MAILBOX;
      const values = names.map((n) => `${n} ${STATUS_ITEMS[n](folder)}`).join(' ');
      s.untagged(`STATUS ${quoted(folder.wire)} (${values})`);
      return ok('STATUS completed');
    },
  },

  CREATE: {
    state: 'authenticated',
    run(s, c) {
      const wire = text(c.args[0]);
      if (c.args.length !== 1 || !wire) return INVALID;
      const name = wire.endsWith(DELIMITER) ? wire.slice(0, -1) : wire;
      if (s.ctx.store.folderByWire(s.account!, name)) return { status: 'NO', text: 'mailbox already exists' };
      s.ctx.store.createFolder(s.account!, name, decodeMailboxName(name));
      return ok('CREATE completed');
    },
  },

  DELETE: {
    state: 'authenticated',
    run(s, c) {
      const folder = folderArg(s, c.args[0]);
      if (c.args.length !== 1) return INVALID;
      if (!folder) return NO_MAILBOX;
      if (folder.wire === 'INBOX' || folder.specialUse)
        return { status: 'NO', text: 'system folder cannot be deleted' };
      if (s.selected?.folder === folder) s.selected = undefined;
      s.ctx.store.deleteFolder(s.account!, folder);
      return ok('DELETE completed');
    },
  },

  RENAME: {
    state: 'authenticated',
    run(s, c) {
      const folder = folderArg(s, c.args[0]);
      const to = text(c.args[1]);
      if (c.args.length !== 2 || !to) return INVALID;
      if (!folder) return NO_MAILBOX;
      if (folder.wire === 'INBOX' || folder.specialUse)
        return { status: 'NO', text: 'system folder cannot be renamed' };
      if (s.ctx.store.folderByWire(s.account!, to)) return { status: 'NO', text: 'mailbox already exists' };
      folder.wire = to;
      folder.name = decodeMailboxName(to);
      return ok('RENAME completed');
    },
  },

  APPEND: {
    state: 'authenticated',
    run(s, c) {
      const args = [...c.args];
      const mailbox = text(args.shift());
      const message = args.pop();
      const flagsToken = args[0]?.kind === 'list' ? args.shift() : undefined;
      const dateText = args.length ? text(args.shift()) : undefined;
      if (mailbox === undefined || message?.kind !== 'string' || args.length) return INVALID;
      const internalDate = dateText === undefined ? s.ctx.clock.now() : parseInternalDate(dateText);
      if (internalDate === undefined) return INVALID;
      const flags = flagsToken?.kind === 'list' ? parseFlags(flagsToken.items) : [];
      if (!flags) return INVALID;
      if (flags.some((f) => f === undefined)) return KEYWORDS_REFUSED;
      if (message.value.length > s.ctx.maxMessageBytes) return { status: 'NO', text: 'message too large' };
      const folder = s.ctx.store.folderByWire(s.account!, mailbox);
      if (!folder) return { status: 'NO', text: '[TRYCREATE] mailbox does not exist' };
      const stored = s.ctx.store.append(s.account!, folder, message.value, flags as string[], internalDate);
      return ok(`[APPENDUID ${folder.uidValidity} ${stored.uid}] APPEND completed`);
    },
  },

  EXPUNGE: {
    state: 'selected',
    run(s, c) {
      if (c.args.length) return INVALID;
      if (s.selected!.readOnly) return READ_ONLY;
      const { folder } = s.selected!;
      s.ctx.store.expunge(s.account!, folder, deletedUids(folder));
      return ok('EXPUNGE completed');
    },
  },

  CLOSE: {
    state: 'selected',
    run(s, c) {
      if (c.args.length) return INVALID;
      const { folder, readOnly } = s.selected!;
      // RFC 3501 §6.4.2: CLOSE removes \Deleted messages without untagged EXPUNGE responses.
      s.selected = undefined;
      if (!readOnly) s.ctx.store.expunge(s.account!, folder, deletedUids(folder));
      return ok('CLOSE completed');
    },
  },

  IDLE: {
    state: 'authenticated',
    async run(s, c) {
      if (c.args.length) return INVALID;
      s.continuation('idling');
      s.sync(true);
      const stop = s.ctx.store.onChange((_account, folder) => {
        if (s.selected?.folder === folder) s.sync(true);
      });
      const line = await s.readLine();
      stop();
      if (line === null) return { status: 'BAD', text: 'connection closed' };
      return line.trim().toUpperCase() === 'DONE' ? ok('IDLE terminated') : INVALID;
    },
  },
};

export const READ_ONLY: Reply = { status: 'NO', text: 'mailbox is read-only' };

/** PERMANENTFLAGS has no `\*` (the real server's SELECT answer, emersion/go-imap#638), so a keyword cannot be stored. */
export const KEYWORDS_REFUSED: Reply = { status: 'NO', text: 'keywords are not supported' };

/**
 * Flags of a flag list: the canonical spelling of a system flag, undefined for a keyword; undefined as a whole when
 * the list is malformed (a non-atom, \Recent, an unknown system flag).
 */
export function parseFlags(tokens: Token[]): Array<string | undefined> | undefined {
  const out: Array<string | undefined> = [];
  for (const t of tokens) {
    if (t.kind !== 'atom') return undefined;
    const flag = canonicalFlag(t.value);
    if (!flag && t.value.startsWith('\\')) return undefined;
    out.push(flag);
  }
  return out;
}

export function deletedUids(folder: Folder): Set<number> {
  return new Set(folder.messages.filter((m) => m.flags.has('\\Deleted')).map((m) => m.uid));
}
