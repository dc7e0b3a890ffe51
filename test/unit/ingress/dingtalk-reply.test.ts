import { decryptPayload, signatureOf } from '../../../shared/ingress/dingtalk/crypto';
import { successReply } from '../../../shared/ingress/dingtalk/reply';
import { AES_KEY, CORP_ID, NOW, TOKEN } from './support/dingtalk-fixtures';

describe('successReply', () => {
  const cfg = { token: TOKEN, aesKey: AES_KEY };

  it('has exactly the keys DingTalk reads', () => {
    expect(Object.keys(successReply(cfg, CORP_ID, NOW)).sort()).toEqual([
      'encrypt',
      'msg_signature',
      'nonce',
      'timeStamp',
    ]);
  });

  it('encrypts "success" with the ownerKey that came in, and signs what it sends', () => {
    const reply = successReply(cfg, CORP_ID, NOW, 'incomingNonce');
    expect(decryptPayload(reply.encrypt, AES_KEY)).toEqual({ plainText: 'success', ownerKey: CORP_ID });
    expect(reply.timeStamp).toBe(String(NOW));
    expect(reply.nonce).toBe('incomingNonce');
    expect(reply.msg_signature).toBe(signatureOf(TOKEN, reply.timeStamp, reply.nonce, reply.encrypt));
  });

  it('reproduces the public vector V2 reply given its random and nonce', () => {
    const reply = successReply(
      { token: 'tokenxxxx', aesKey: 'o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus' },
      'dingxxxxxx',
      1605695694141,
      'WelUQl6bCqcBa2fM',
      Buffer.from('WelUQl6bCqcBa2fM'),
    );
    expect(reply).toEqual({
      msg_signature: 'f36f4ba5337d426c7d4bca0dbcb06b3ddc1388fc',
      timeStamp: '1605695694141',
      nonce: 'WelUQl6bCqcBa2fM',
      encrypt: 'X1VSe9cTJUMZu60d3kyLYTrBq5578ZRJtteU94wG0Q4Uk6E/wQYeJRIC0/UFW5Wkya1Ihz9oXAdLlyC9TRaqsQ==',
    });
  });

  it('makes up a fresh alphanumeric nonce when none is given', () => {
    const a = successReply(cfg, CORP_ID, NOW).nonce;
    const b = successReply(cfg, CORP_ID, NOW).nonce;
    expect(a).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(a).not.toBe(b);
  });
});
