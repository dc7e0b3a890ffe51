import { generate } from 'selfsigned';

/**
 * A self-signed client certificate as Key Vault holds one with content type PEM: the private key (PKCS#8), then the
 * certificate. `cert` is the public part an admin uploads to the app registration.
 */
export async function clientCertificate(
  options: { expired?: boolean; keyType?: 'rsa' | 'ec' } = {},
): Promise<{ cert: string; key: string; pem: string }> {
  const day = 86_400_000;
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'dingtalk-m365-sync' }], {
    keySize: 2048,
    keyType: options.keyType ?? 'rsa',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - (options.expired ? 30 : 1) * day),
    notAfterDate: new Date(options.expired ? now - day : now + 365 * day),
  });
  return { cert: pems.cert, key: pems.private, pem: `${pems.private.trim()}\n${pems.cert.trim()}\n` };
}
