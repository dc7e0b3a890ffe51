import {
  clientStateMatches,
  hashClientState,
  newClientState,
} from '../../../shared/ingress/graph/client-state';

describe('client state secrets', () => {
  it('are 43 base64url characters of fresh randomness, under the 128-character limit', () => {
    const states = Array.from({ length: 50 }, () => newClientState());
    for (const state of states) {
      expect(state.clientState).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(state.clientState.length).toBeLessThanOrEqual(128);
    }
    expect(new Set(states.map((s) => s.clientState)).size).toBe(50);
    expect(new Set(states.map((s) => s.salt)).size).toBe(50);
  });

  it('store a hash that matches the secret but does not contain it', () => {
    const { clientState, salt, hash } = newClientState();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(clientState);
    expect(hash).toBe(hashClientState(clientState, salt));
    expect(clientStateMatches(clientState, salt, hash)).toBe(true);
  });

  it('hash the same secret differently under different salts', () => {
    expect(hashClientState('secret', 'salt-a')).not.toBe(hashClientState('secret', 'salt-b'));
  });

  it('do not match a near miss, another salt, or a malformed stored hash', () => {
    const { clientState, salt, hash } = newClientState();
    expect(clientStateMatches(clientState.slice(0, -1), salt, hash)).toBe(false);
    expect(clientStateMatches(clientState + 'x', salt, hash)).toBe(false);
    expect(clientStateMatches(clientState, salt + 'x', hash)).toBe(false);
    expect(clientStateMatches(clientState, salt, hash.slice(1))).toBe(false);
    expect(clientStateMatches(clientState, salt, '')).toBe(false);
    expect(clientStateMatches(clientState, salt, hash.toUpperCase())).toBe(false);
  });

  it('cannot be matched by presenting the stored hash itself (a table leak is not enough)', () => {
    const { salt, hash } = newClientState();
    expect(clientStateMatches(hash, salt, hash)).toBe(false);
  });
});
