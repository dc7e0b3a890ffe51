import { INVALID, type CommandSpec, type Reply } from './session';
import { text } from './tokens';

/**
 * Commands of any state: CAPABILITY, ID, NOOP, LOGOUT, LOGIN, AUTHENTICATE. The capability line is the real
 * server's, word for word (emersion/go-imap#638, afterlogic/webmail-lite-8#36).
 */

export const CAPABILITIES = 'IMAP4rev1 IDLE XLIST UIDPLUS ID SASL-IR AUTH=XOAUTH AUTH=XOAUTH2 AUTH=EXTERNAL';

const ok = (textLine: string): Reply => ({ status: 'OK', text: textLine });

export const sessionCommands: Record<string, CommandSpec> = {
  CAPABILITY: {
    state: 'any',
    run(s, c) {
      if (c.args.length) return INVALID;
      s.untagged(`CAPABILITY ${CAPABILITIES}`);
      return ok('CAPABILITY completed');
    },
  },
  ID: {
    // RFC 2971. Alibaba does not require it (emersion/go-imap#638 logs a SELECT without it) but answers it.
    state: 'any',
    run(s, c) {
      const arg = c.args[0];
      if (
        c.args.length !== 1 ||
        !(arg.kind === 'list' || (arg.kind === 'atom' && arg.value.toUpperCase() === 'NIL'))
      ) {
        return INVALID;
      }
      s.untagged('ID ("name" "AliYun IMAP Server" "vendor" "Alibaba")');
      return ok('ID completed');
    },
  },
  NOOP: {
    state: 'any',
    run: (_s, c) => (c.args.length ? INVALID : ok('NOOP completed')),
  },
  CHECK: {
    state: 'selected',
    run: (_s, c) => (c.args.length ? INVALID : ok('CHECK completed')),
  },
  LOGOUT: {
    state: 'any',
    run(s) {
      s.untagged('BYE logging out');
      return ok('LOGOUT completed');
    },
  },
  LOGIN: {
    state: 'not-authenticated',
    run(s, c) {
      const user = text(c.args[0]);
      const password = text(c.args[1]);
      if (user === undefined || password === undefined || c.args.length !== 2) return INVALID;
      const account = s.ctx.store.account(user);
      // No public capture of Alibaba's wording for a wrong password exists; this is the common one.
      if (!account || account.password !== password) return { status: 'NO', text: 'LOGIN failed' };
      account.logins++;
      s.account = account;
      return ok('LOGIN completed');
    },
  },
  AUTHENTICATE: {
    // XOAUTH, XOAUTH2 and EXTERNAL are advertised like the real server, but no token system is modelled:
    // every exchange ends in NO. SASL-IR (RFC 4959) lets the client put the response on the command line.
    state: 'not-authenticated',
    async run(s, c) {
      if (!text(c.args[0])) return INVALID;
      if (c.args.length < 2) {
        s.continuation('');
        const response = await s.readLine();
        if (response === null || response === '*') return { status: 'BAD', text: 'AUTHENTICATE cancelled' };
      }
      return { status: 'NO', text: 'AUTHENTICATE failed' };
    },
  },
};
