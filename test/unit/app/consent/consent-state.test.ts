import {
  CONSENT_STATE_LIFETIME_MS,
  consentStateKey,
  createConsentState,
  verifyConsentState,
} from '../../../../shared/app/consent/consent-state';

/** The signed, expiring state of the admin-consent round trip. */

const SECRET = '4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij';
const binding = { tenantId: '6C3A1D2E-8F4B-4C7A-9E1D-3B5F7A9C2E40', clientId: 'app-1' };
const key = consentStateKey(SECRET, binding);
const NOW = Date.parse('2026-11-22T08:00:00Z');

test('a fresh state verifies, is URL-safe and expires one hour later', () => {
  const { state, expiresAt } = createConsentState(key, NOW);
  expect(state).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  expect(encodeURIComponent(state)).toBe(state);
  expect(expiresAt).toBe(NOW + CONSENT_STATE_LIFETIME_MS);
  expect(verifyConsentState(key, state, NOW + 59 * 60_000)).toEqual({ ok: true, expiresAt });
});

test('each state is different (random nonce)', () => {
  expect(createConsentState(key, NOW).state).not.toBe(createConsentState(key, NOW).state);
});

test('an expired state is refused', () => {
  const { state } = createConsentState(key, NOW);
  expect(verifyConsentState(key, state, NOW + CONSENT_STATE_LIFETIME_MS)).toEqual({
    ok: false,
    reason: 'expired',
  });
});

test('a tampered expiry, nonce or MAC is refused as a bad signature', () => {
  const { state } = createConsentState(key, NOW);
  const [v, exp, nonce, mac] = state.split('.');
  const later = `${v}.${Number(exp) + 86_400}.${nonce}.${mac}`;
  const otherNonce = `${v}.${exp}.${nonce.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${mac}`;
  const otherMac = `${v}.${exp}.${nonce}.${mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`;
  for (const forged of [later, otherNonce, otherMac]) {
    expect(verifyConsentState(key, forged, NOW)).toEqual({ ok: false, reason: 'signature' });
  }
});

test('a state made with another key, tenant or app registration is refused', () => {
  const { state } = createConsentState(key, NOW);
  const others = [
    consentStateKey('another-secret-of-forty-three-characters-xx', binding),
    consentStateKey(SECRET, { ...binding, tenantId: '11111111-2222-3333-4444-555555555555' }),
    consentStateKey(SECRET, { ...binding, clientId: 'app-2' }),
  ];
  for (const other of others)
    expect(verifyConsentState(other, state, NOW)).toEqual({ ok: false, reason: 'signature' });
});

test('the key ignores the case of the ids, as Entra does', () => {
  const { state } = createConsentState(key, NOW);
  const lower = consentStateKey(SECRET, { tenantId: binding.tenantId.toLowerCase(), clientId: 'APP-1' });
  expect(verifyConsentState(lower, state, NOW).ok).toBe(true);
});

test.each([
  [undefined, 'missing'],
  [null, 'missing'],
  ['', 'missing'],
  ['12345', 'malformed'],
  ['v2.1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'malformed'],
  ['v1.1.AAAA.AAAA', 'malformed'],
  [`v1.1.AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}<script>`, 'malformed'],
])('%p is refused as %s', (state, reason) => {
  expect(verifyConsentState(key, state, NOW)).toEqual({ ok: false, reason });
});

test('a MAC spelled another way (spare bits of the last character) is refused', () => {
  const { state } = createConsentState(key, NOW);
  const last = state.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Same 4 data bits, other spare bits: decodes to the same bytes.
  const sibling = alphabet[alphabet.indexOf(last) + 1];
  const variant = state.slice(0, -1) + sibling;
  expect(Buffer.from(variant.split('.')[3], 'base64url')).toEqual(
    Buffer.from(state.split('.')[3], 'base64url'),
  );
  expect(verifyConsentState(key, variant, NOW)).toEqual({ ok: false, reason: 'signature' });
});
