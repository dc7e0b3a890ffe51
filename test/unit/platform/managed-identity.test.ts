import { managedIdentityCredential } from '../../../shared/platform/managed-identity';

const mockBuilt: unknown[] = [];
jest.mock('@azure/identity', () => ({
  DefaultAzureCredential: class {
    constructor(options: unknown) {
      mockBuilt.push(options);
    }
    async getToken(scopes: string | string[]) {
      return { token: `token for ${String(scopes)}`, expiresOnTimestamp: Date.now() + 3600_000 };
    }
  },
}));

beforeEach(() => (mockBuilt.length = 0));

test('the managed identity is built with the first token request, once, with the client id given', async () => {
  const credential = managedIdentityCredential('11111111-2222-4333-8444-555555555555');
  expect(mockBuilt).toEqual([]);
  const first = await credential.getToken('https://storage.azure.com/.default');
  const second = await credential.getToken(['https://vault.azure.net/.default']);
  expect(first?.token).toBe('token for https://storage.azure.com/.default');
  expect(second?.token).toBe('token for https://vault.azure.net/.default');
  expect(mockBuilt).toEqual([{ managedIdentityClientId: '11111111-2222-4333-8444-555555555555' }]);
});

test('each credential holds its own identity (and token cache)', async () => {
  await managedIdentityCredential(undefined).getToken('a');
  await managedIdentityCredential(undefined).getToken('b');
  expect(mockBuilt).toEqual([{ managedIdentityClientId: undefined }, { managedIdentityClientId: undefined }]);
});
