import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import { startFakeKeyVault, type FakeKeyVault } from '../../sandbox/keyvault/fake-key-vault';
import { startFakeMailServer, type FakeMailServer } from '../../sandbox/mail';
import { appPasswordVaultAccess, createAppPasswordVault } from '../../shared/app/mail/app-password-vault';
import type { BenchPerson } from '../pipeline/people';

/** Where the app reaches the sandbox DingTalk Mail server and the Key Vault holding the app passwords. */
export interface MailEndpoints {
  imapHost: string;
  imapPort: number;
  vaultUrl: string;
}

/** A mail the bench asks for: built here, so a 25 MB message never crosses IPC or sits in the app's process. */
export interface MailSpec {
  subject: string;
  /** About this many bytes of MIME: a short text body and one attachment of random bytes (base64 on the wire). */
  bytes: number;
}

/**
 * Wall-clock times (Date.now(), which the bench's process shares) of the first and the last delivery: composing
 * the mails comes before both.
 */
export interface DeliveryTimes {
  startedAt: number;
  deliveredAt: number;
}

/** One mail per entry, each into its owner's inbox. */
export interface Delivery {
  person: BenchPerson;
  spec: MailSpec;
}

/** base64 lines of 76 characters and CRLF: 78 bytes on the wire for every 57 bytes of attachment. */
const WIRE_PER_BYTE = 78 / 57;
/** Headers, body and the MIME boundaries of a composed mail, roughly. */
const OVERHEAD_BYTES = 1200;

async function compose(person: BenchPerson, spec: MailSpec): Promise<Buffer> {
  const attachmentBytes = Math.max(0, Math.floor((spec.bytes - OVERHEAD_BYTES) / WIRE_PER_BYTE));
  return new MailComposer({
    from: 'Supplier <orders@supplier.example.com>',
    to: person.email,
    subject: spec.subject,
    messageId: `<${randomBytes(8).toString('hex')}@supplier.example.com>`,
    date: new Date(Date.now() - 1000),
    text: `${spec.subject}\n\nPlease find the documents attached.`,
    attachments: attachmentBytes
      ? [{ filename: 'documents.bin', content: randomBytes(attachmentBytes), contentType: 'application/pdf' }]
      : [],
  })
    .compile()
    .build();
}

/** The Subject header of a raw message (the bench's subjects are short ASCII, never folded). */
function subjectOf(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.min(raw.length, 8192)).toString('latin1');
  return /^Subject: (.*)$/im.exec(head)?.[1]?.trim();
}

/**
 * The mail side of the fakes: the sandbox DingTalk Mail server and the Key Vault, started on demand in the fakes'
 * process (so their CPU time and memory are not the app's), mail arriving on either side, and what each side
 * shows. Outlook mail is the fake Graph's, already running there.
 */
export function createMailOperations(graph: FakeGraph) {
  let server: FakeMailServer | undefined;
  let vault: FakeKeyVault | undefined;
  const imap = () => {
    if (!server) throw new Error('the mail server is not started (startMail)');
    return server;
  };
  const outlookSubjects = (person: BenchPerson) => {
    const inbox = graph.services.mail.folder(person.entraId, 'inbox');
    return inbox ? graph.services.mail.list(person.entraId, inbox.id).map((m) => m.subject) : [];
  };
  const dingtalkSubjects = (person: BenchPerson) =>
    imap()
      .control.messages(person.email, 'INBOX')
      .map((m) => subjectOf(m.raw) ?? '');
  const count =
    (subjects: (person: BenchPerson) => string[]) =>
    (owners: Array<{ person: BenchPerson; prefix: string }>) => {
      let found = 0;
      for (const { person, prefix } of owners)
        found += subjects(person).filter((s) => s.startsWith(prefix)).length;
      return found;
    };

  return {
    startMail: async (): Promise<MailEndpoints> => {
      server ??= await startFakeMailServer({});
      vault ??= await startFakeKeyVault();
      return { imapHost: server.host, imapPort: server.port, vaultUrl: vault.url };
    },
    /** A DingTalk mailbox for each person, and its app password in the vault, as an admin would set them up. */
    provisionMailboxes: async (people: BenchPerson[]) => {
      const secrets = createAppPasswordVault(appPasswordVaultAccess(vault!.url, 'sandbox', undefined));
      for (const person of people) {
        const password = `app-${randomBytes(6).toString('hex')}`;
        imap().control.addMailbox(person.email, password);
        await secrets.write(person.email, password);
      }
    },
    /**
     * What an idle mailbox really holds before its first sync: `old` messages older than the look-back window (never
     * copied, but in the folder: the poll's STATUS and window scan see them) and `recent` messages inside the window
     * that are already in both mailboxes, as after a migration (the first sync links them by Message-ID, copies
     * nothing). An empty mailbox would make an idle poll look cheaper than it is.
     */
    seedMailHistory: async (people: BenchPerson[], history: { old: number; recent: number }) => {
      const day = 86_400_000;
      for (const person of people) {
        imap().control.deliverMany(person.email, 'INBOX', history.old, (i) => ({
          raw: Buffer.from(
            `From: archive@example.com\r\nTo: ${person.email}\r\nSubject: Archived ${i}\r\n` +
              `Message-ID: <archived-${i}-${randomBytes(4).toString('hex')}@example.com>\r\n\r\nOld mail.\r\n`,
          ),
          internalDate: Date.now() - (60 + (i % 300)) * day,
          flags: ['\\Seen'],
        }));
        for (let i = 0; i < history.recent; i++) {
          const receivedAt = Date.now() - (history.recent - i) * 3_600_000;
          const raw = await new MailComposer({
            from: 'Colleague <colleague@example.com>',
            to: person.email,
            subject: `Recent ${i}`,
            messageId: `<recent-${i}-${randomBytes(4).toString('hex')}@example.com>`,
            date: new Date(receivedAt - 5000),
            text: 'Already in both mailboxes.',
          })
            .compile()
            .build();
          imap().control.deliver(person.email, 'INBOX', raw, { flags: ['\\Seen'], internalDate: receivedAt });
          graph.control.deliverMail(person.entraId, 'inbox', raw, {
            isRead: true,
            receivedAt: new Date(receivedAt).toISOString(),
          });
        }
      }
    },
    /** Mail arriving in DingTalk: all of it composed first, then delivered at once. */
    deliverToDingtalk: async (deliveries: Delivery[]): Promise<DeliveryTimes> => {
      const raws = await Promise.all(deliveries.map((d) => compose(d.person, d.spec)));
      const startedAt = Date.now();
      deliveries.forEach((d, i) => imap().control.deliver(d.person.email, 'INBOX', raws[i]!));
      return { startedAt, deliveredAt: Date.now() };
    },
    /** Mail arriving in Outlook, one after another; each delivery notifies the app's subscription. */
    deliverToOutlook: async (deliveries: Delivery[]): Promise<DeliveryTimes> => {
      const raws = await Promise.all(deliveries.map((d) => compose(d.person, d.spec)));
      const startedAt = Date.now();
      for (const [i, d] of deliveries.entries()) {
        await graph.control.deliverMail(d.person.entraId, 'inbox', raws[i]!);
      }
      return { startedAt, deliveredAt: Date.now() };
    },
    /** Messages whose subject starts with the owner's prefix, in each owner's own inbox. */
    countInDingtalk: (owners: Array<{ person: BenchPerson; prefix: string }>) =>
      count(dingtalkSubjects)(owners),
    countInOutlook: (owners: Array<{ person: BenchPerson; prefix: string }>) =>
      count(outlookSubjects)(owners),
    /**
     * What arrived with this subject, to check a large mail crossed whole: the raw size of each DingTalk copy, and
     * the attachment bytes of each Outlook copy.
     */
    sizesOf: (person: BenchPerson, subject: string) => {
      const inbox = graph.services.mail.folder(person.entraId, 'inbox');
      return {
        dingtalkRawBytes: imap()
          .control.messages(person.email, 'INBOX')
          .filter((m) => subjectOf(m.raw) === subject)
          .map((m) => m.raw.length),
        outlookAttachmentBytes: (inbox ? graph.services.mail.list(person.entraId, inbox.id) : [])
          .filter((m) => m.subject === subject)
          .map((m) => m.attachments.reduce((sum, a) => sum + a.contentBytes.length, 0)),
      };
    },
    /** Every IMAP command is answered ms later (the server's `slow` fault on every command, login included). */
    injectImapLatency: (ms: number) => {
      imap().control.faults.inject({ kind: 'slow', delayMs: ms, times: Infinity });
    },
    clearImapLatency: () => imap().control.faults.clear(),
    /** Commands the server received so far, by mailbox and verb, with when (this process's Date.now()). */
    imapCommands: (sinceMs: number) =>
      imap()
        .control.commands()
        .filter((c) => c.at >= sinceMs)
        .map((c) => ({ email: c.email ?? '', command: c.command, at: c.at })),
    imapCommandCount: () => imap().control.commands().length,
    clearImapCommands: () => imap().control.clearCommands(),
    stopMail: async () => {
      await server?.stop();
      await vault?.stop();
      server = undefined;
      vault = undefined;
    },
  };
}

export type MailOperations = ReturnType<typeof createMailOperations>;
