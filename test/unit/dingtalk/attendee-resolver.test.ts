import { DirectoryAttendeeResolver } from '../../../shared/connectors/dingtalk/attendee-resolver';
import type { DirectoryUser } from '../../../shared/connectors/dingtalk/directory';
import { ManualClock } from '../../../shared/platform/clock';

const users: DirectoryUser[] = [
  {
    userid: 'a',
    unionid: 'UA',
    name: 'A',
    org_email: 'A@Corp.example',
    email: 'a@home.example',
    active: true,
  },
  { userid: 'b', unionid: 'UB', name: 'B', email: 'b@home.example', active: true },
  { userid: 'c', unionid: 'UC', name: 'C', active: true },
];

describe('directory attendee resolver', () => {
  test('prefers the enterprise mailbox, lower-cased; either address finds the person; unknowns are undefined', async () => {
    const resolver = new DirectoryAttendeeResolver(async () => users);
    expect(await resolver.resolveEmail('UA')).toBe('a@corp.example');
    expect(await resolver.resolveEmail('UB')).toBe('b@home.example');
    expect(await resolver.resolveEmail('UC')).toBeUndefined();
    expect(await resolver.resolveUnionId('a@home.example')).toBe('UA');
    expect(await resolver.resolveUnionId('A@CORP.EXAMPLE')).toBe('UA');
    expect(await resolver.resolveUnionId('stranger@ext.example')).toBeUndefined();
  });

  test('reads the directory once per max age, and once for concurrent callers', async () => {
    const clock = new ManualClock(0);
    let reads = 0;
    const resolver = new DirectoryAttendeeResolver(
      async () => {
        reads++;
        return users;
      },
      60_000,
      clock,
    );
    await Promise.all([
      resolver.resolveEmail('UA'),
      resolver.resolveEmail('UB'),
      resolver.resolveUnionId('x'),
    ]);
    clock.advance(59_000);
    await resolver.resolveEmail('UA');
    expect(reads).toBe(1);
    clock.advance(2_000);
    await resolver.resolveEmail('UA');
    expect(reads).toBe(2);
  });
});
