import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptPayload, encryptPayload, signatureOf } from '../../../../shared/ingress/dingtalk/crypto';
import { successReply } from '../../../../shared/ingress/dingtalk/reply';

/**
 * A tiny stand-in for our callback endpoint: checks the signature, decrypts with decryptPayload, records the
 * event and answers with the encrypted success (or, on request, with something wrong or too late).
 */

export const CALLBACK = { token: 'callbacktoken', aesKey: '4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij' };

export interface Received {
  query: Record<string, string>;
  signatureValid: boolean;
  ownerKey: string;
  payload: Record<string, unknown>;
}

export type ReplyMode = 'success' | 'plain-text-success' | 'wrong-word' | 'http-500';

export interface CallbackReceiver {
  url: string;
  received: Received[];
  reply: ReplyMode;
  delayMs: number;
  stop(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const state: Omit<CallbackReceiver, 'url' | 'stop'> = { received: [], reply: 'success', delayMs: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      const { encrypt } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { encrypt: string };
      const signature = query.signature ?? query.msg_signature ?? '';
      const timestamp = query.timestamp ?? query.timeStamp ?? '';
      const signatureValid = signatureOf(CALLBACK.token, timestamp, query.nonce ?? '', encrypt) === signature;
      const { plainText, ownerKey } = decryptPayload(encrypt, CALLBACK.aesKey);
      state.received.push({
        query,
        signatureValid,
        ownerKey,
        payload: JSON.parse(plainText) as Record<string, unknown>,
      });
      setTimeout(() => {
        if (state.reply === 'http-500') return void res.writeHead(500).end();
        if (state.reply === 'plain-text-success') return void res.writeHead(200).end('success');
        const body =
          state.reply === 'wrong-word'
            ? signedReply('fail', ownerKey)
            : successReply(CALLBACK, ownerKey, Date.now(), query.nonce);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }, state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/api/dingtalk/events`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function signedReply(word: string, ownerKey: string) {
  const timeStamp = String(Date.now());
  const nonce = 'replynonce';
  const encrypt = encryptPayload(word, CALLBACK.aesKey, ownerKey);
  return { msg_signature: signatureOf(CALLBACK.token, timeStamp, nonce, encrypt), timeStamp, nonce, encrypt };
}
