import type { Socket } from 'node:net';
import type { Clock } from '../../shared/platform/clock';
import { ByteReader } from './byte-reader';
import type { CommandLog } from './command-log';
import type { MailFaults } from './faults';
import { matchingIndexes, parseSequenceSet, type SequenceSet } from './sequence-set';
import { PERMANENT_FLAGS, type Account, type Folder, type MailStore, type StoredMessage } from './store';
import { SyntaxError, text, tokenize, type Token } from './tokens';
import { toBuffer, type Chunk } from './wire';

/**
 * One client connection: reads commands (with synchronising literals, RFC 3501 §7.5), checks the state a command
 * needs, runs it and answers with the tag. The selected folder is seen through a per-session view, so other
 * sessions' changes reach this one as untagged EXPUNGE / EXISTS / FETCH at command boundaries (RFC 3501 §7.4.1
 * forbids EXPUNGE during FETCH, STORE and SEARCH).
 */

export interface ServerContext {
  store: MailStore;
  faults: MailFaults;
  log: CommandLog;
  clock: Clock;
  maxMessageBytes: number;
}

export interface Command {
  tag: string;
  /** Upper case, `UID ` included. */
  name: string;
  args: Token[];
  byUid: boolean;
}

export interface Reply {
  status: 'OK' | 'NO' | 'BAD';
  text: string;
}

export interface SelectedView {
  folder: Folder;
  readOnly: boolean;
  uidValidity: number;
  /** UIDs in sequence-number order, as this session knows them. */
  uids: number[];
  /** Flags last shown to this session, per UID. */
  flags: Map<number, string>;
  /** Messages with a higher UID are new to this session. */
  highestUid: number;
  /** The folder's version this view fully reflects (store.ts): an unchanged folder needs no sync. */
  version: number;
}

export type CommandState = 'any' | 'not-authenticated' | 'authenticated' | 'selected';

export interface CommandSpec {
  state: CommandState;
  run(session: Session, command: Command): Reply | Promise<Reply>;
}

/** The real server's answer to anything it does not understand (reference: go-imap#638). */
export const INVALID: Reply = { status: 'BAD', text: 'invalid command or parameters' };

const MAX_LINE_BYTES = 64 * 1024;

export class Session {
  account?: Account;
  selected?: SelectedView;
  closed = false;
  private readonly reader = new ByteReader();
  private dropArmed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    readonly ctx: ServerContext,
    private readonly commands: Record<string, CommandSpec>,
  ) {
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('end', () => this.reader.end());
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  async run(): Promise<void> {
    this.write('* OK AliYun IMAP Server Ready\r\n');
    while (!this.closed) {
      const received = await this.readCommand();
      if (!received) break;
      await this.handle(received.texts, received.literals, received.refusal);
    }
    this.close();
  }

  /** Ends the session after what was written has been sent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.reader.end();
    this.socket.end(() => this.socket.destroy());
  }

  /** Ends the session at once (server stop). */
  destroy(): void {
    this.close();
    this.socket.destroy();
  }

  /** A line from the client outside command parsing (IDLE's DONE, an AUTHENTICATE response). */
  async readLine(): Promise<string | null> {
    const line = await this.reader.line(MAX_LINE_BYTES);
    return line === null || line === 'too-long' ? null : line.toString('utf8');
  }

  untagged(...chunks: Chunk[]): void {
    this.write(toBuffer(['* ', ...chunks, '\r\n']));
  }

  continuation(textLine: string): void {
    this.write(`+ ${textLine}\r\n`);
  }

  bye(textLine: string): void {
    this.untagged(`BYE ${textLine}`);
    this.close();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  /** Opens a view of a folder (SELECT / EXAMINE). */
  select(folder: Folder, readOnly: boolean): SelectedView {
    this.selected = {
      folder,
      readOnly,
      uidValidity: folder.uidValidity,
      uids: folder.messages.map((m) => m.uid),
      flags: new Map(folder.messages.map((m) => [m.uid, flagKey(m)])),
      highestUid: folder.uidNext - 1,
      version: folder.version,
    };
    return this.selected;
  }

  /** Tells this session what changed in its folder since it last looked. */
  sync(allowExpunge: boolean): void {
    const view = this.selected;
    if (!view || this.closed) return;
    if (view.folder.uidValidity !== view.uidValidity) {
      // A rebuild renumbered the folder under an open session; the real server can only end the session.
      this.bye('mailbox UIDVALIDITY changed');
      return;
    }
    if (view.version === view.folder.version) return;
    const version = view.folder.version;
    const present = new Map(view.folder.messages.map((m) => [m.uid, m]));
    if (allowExpunge) {
      for (let i = view.uids.length - 1; i >= 0; i--) {
        const uid = view.uids[i];
        if (present.has(uid)) continue;
        this.untagged(`${i + 1} EXPUNGE`);
        view.uids.splice(i, 1);
        view.flags.delete(uid);
      }
    }
    const added = view.folder.messages.filter((m) => m.uid > view.highestUid);
    if (added.length) {
      for (const m of added) {
        view.uids.push(m.uid);
        view.flags.set(m.uid, flagKey(m));
      }
      view.highestUid = added[added.length - 1].uid;
      this.untagged(`${view.uids.length} EXISTS`);
    }
    view.uids.forEach((uid, i) => {
      const m = present.get(uid);
      if (!m || view.flags.get(uid) === flagKey(m)) return;
      view.flags.set(uid, flagKey(m));
      this.untagged(`${i + 1} FETCH (UID ${uid} FLAGS (${flagList(m).join(' ')}))`);
    });
    // Expunges held back (during FETCH, STORE, SEARCH) leave the view behind the folder: look again next time.
    if (view.uids.length === view.folder.messages.length) view.version = version;
  }

  /** Records that this session has been shown the message's current flags. */
  noteFlags(message: StoredMessage): void {
    if (this.selected?.flags.has(message.uid)) this.selected.flags.set(message.uid, flagKey(message));
  }

  /** Messages a sequence set names in the selected folder, with their sequence numbers; undefined when malformed. */
  targets(
    setText: string | undefined,
    byUid: boolean,
  ): Array<{ seq: number; message: StoredMessage }> | undefined {
    const view = this.selected;
    const set = setText === undefined ? undefined : parseSequenceSet(setText);
    if (!view || !set) return undefined;
    // Binary searches over the ascending UIDs, not maps of the whole folder: a mailbox of 100,000 messages must
    // answer a FETCH of a few of them as fast as a small one does.
    const indexes = byUid
      ? matchingIndexes(set, view.uids, view.uids[view.uids.length - 1] ?? 0)
      : sequenceIndexes(set, view.uids.length);
    const messages = view.folder.messages;
    return indexes.flatMap((i) => {
      const m = findByUid(messages, view.uids[i]);
      return m ? [{ seq: i + 1, message: m }] : [];
    });
  }

  private write(data: string | Buffer): void {
    if (this.closed) return;
    if (this.dropArmed) {
      // drop-mid-fetch: half of the first response, then the connection is gone.
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      this.socket.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
      this.close();
      return;
    }
    this.socket.write(data);
  }

  private async readCommand(): Promise<{ texts: string[]; literals: Buffer[]; refusal?: Reply } | null> {
    const texts: string[] = [];
    const literals: Buffer[] = [];
    let refusal: Reply | undefined;
    for (;;) {
      const line = await this.reader.line(MAX_LINE_BYTES);
      if (line === null) return null;
      if (line === 'too-long') {
        this.bye('command line too long');
        return null;
      }
      const lineText = line.toString('utf8');
      texts.push(lineText);
      const literal = /\{(\d+)(\+?)\}$/.exec(lineText);
      if (!literal) return { texts, literals, refusal };
      const size = Number(literal[1]);
      if (literal[2]) {
        // LITERAL+ (RFC 7888) is not advertised: refuse the command, but read the data the client sends anyway.
        refusal = INVALID;
        if (size > this.ctx.maxMessageBytes) {
          this.bye('literal too large');
          return null;
        }
      } else if (size > this.ctx.maxMessageBytes) {
        // Refused before the data is sent: the client waits for "+" and gets the tagged answer instead.
        const isAppend = /^\S+ APPEND /i.test(texts[0]);
        this.tagged(texts[0].split(' ')[0], {
          status: isAppend ? 'NO' : 'BAD',
          text: `message too large: the limit is ${this.ctx.maxMessageBytes} bytes`,
        });
        return { texts: [], literals: [], refusal: { status: 'OK', text: '' } };
      } else {
        this.continuation('Ready for additional command text');
      }
      const data = await this.reader.bytes(size);
      if (!data) return null;
      literals.push(data);
    }
  }

  private async handle(texts: string[], literals: Buffer[], refusal?: Reply): Promise<void> {
    if (texts.length === 0) return; // already answered
    let tokens: Token[];
    try {
      tokens = tokenize(texts, literals);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      tokens = [];
    }
    const tag =
      tokens[0]?.kind === 'atom' && tokens[0].value !== '*' && tokens[0].value !== '+' ? tokens[0].value : '';
    const first = tokens[1]?.kind === 'atom' ? tokens[1].value.toUpperCase() : '';
    const byUid = first === 'UID';
    const sub = byUid && tokens[2]?.kind === 'atom' ? tokens[2].value.toUpperCase() : '';
    const name = byUid ? `UID ${sub}` : first;
    if (!tag || !name || (byUid && !sub)) {
      this.write(`${tag || '*'} BAD invalid command or parameters\r\n`);
      return;
    }
    const command: Command = { tag, name, args: tokens.slice(byUid ? 3 : 2), byUid };
    const email = this.account?.email ?? (name === 'LOGIN' ? text(command.args[0]) : undefined);
    this.ctx.log.add({
      session: this.id,
      email,
      tag,
      command: name,
      line: describe(texts, name),
      at: this.ctx.clock.now(),
    });
    if (refusal) return this.tagged(tag, refusal);

    const fault = this.ctx.faults.take(name, email);
    if (fault?.kind === 'slow') await this.sleep(fault.delayMs ?? 1000);
    if (this.closed) return;
    if (fault?.kind === 'bye') return this.bye('connection closed by server');
    if (fault?.kind === 'bad') return this.tagged(tag, INVALID);
    if (fault?.kind === 'login-refused') return this.tagged(tag, { status: 'NO', text: 'LOGIN refused' });
    if (fault?.kind === 'drop-mid-fetch') this.dropArmed = true;

    const reply = await this.execute(command);
    if (this.dropArmed) return this.close();
    this.tagged(tag, reply);
    if (name === 'LOGOUT') this.close();
  }

  private async execute(command: Command): Promise<Reply> {
    const spec = this.commands[command.name];
    if (!spec) return INVALID;
    if (spec.state === 'not-authenticated' && this.account) return INVALID;
    if ((spec.state === 'authenticated' || spec.state === 'selected') && !this.account) {
      return { status: 'BAD', text: 'please login first' };
    }
    if (spec.state === 'selected' && !this.selected) return { status: 'BAD', text: 'no mailbox selected' };
    const allowExpunge = !['FETCH', 'STORE', 'SEARCH'].includes(command.name);
    if (spec.state === 'selected') this.sync(allowExpunge);
    const reply = await spec.run(this, command);
    if (this.selected) this.sync(allowExpunge);
    return reply;
  }

  private tagged(tag: string, reply: Reply): void {
    this.write(`${tag} ${reply.status} ${reply.text}\r\n`);
  }
}

/** The line for the command log: literals as `{n}`, LOGIN's password hidden. */
function describe(texts: string[], name: string): string {
  if (name === 'LOGIN') {
    const head = texts[0].split(' ').slice(0, 3).join(' ');
    return `${head} ***`;
  }
  return texts.join('');
}

/** Indexes (sequence number - 1) a sequence-number set names among `count` messages, `*` being the last. */
function sequenceIndexes(set: SequenceSet, count: number): number[] {
  const picked = new Set<number>();
  if (count === 0) return [];
  for (const [a, b] of set) {
    const x = a === '*' ? count : a;
    const y = b === '*' ? count : b;
    for (let n = Math.min(x, y); n <= Math.min(Math.max(x, y), count); n++) picked.add(n - 1);
  }
  return [...picked].sort((p, q) => p - q);
}

/** A message of a folder (ascending by UID) by its UID. */
function findByUid(messages: StoredMessage[], uid: number): StoredMessage | undefined {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (messages[mid].uid < uid) lo = mid + 1;
    else hi = mid;
  }
  return messages[lo]?.uid === uid ? messages[lo] : undefined;
}

export function flagList(message: StoredMessage): string[] {
  return PERMANENT_FLAGS.filter((f) => message.flags.has(f));
}

function flagKey(message: StoredMessage): string {
  return flagList(message).join(' ');
}
