import {
  colleagueCreateBody,
  colleagueStamp,
  colleagueUpdateBody,
  type ColleagueContact,
} from '../../../../shared/app/colleagues/colleague-card';
import { planColleagueWrites } from '../../../../shared/app/colleagues/write-plan';
import { CONTACT_ORIGIN_KEY_PROPERTY_ID } from '../../../../shared/connectors/graph/contact-mapper';
import type { ColleagueRecord } from '../../../../shared/store/colleague-store';

const ORG = '示例科技';

const record = (userid: string, overrides: Partial<ColleagueRecord> = {}): ColleagueRecord => ({
  userid,
  name: `Name ${userid}`,
  title: 'Engineer',
  email: `${userid}@corp.example`,
  mobile: '+86 13800138000',
  department: '研发部',
  deptIds: [10],
  ...overrides,
});

/** The contact Outlook holds after our create of `r`, as a listing with $expand of the stamp returns it. */
function held(r: ColleagueRecord, id = `id-${r.userid}`, stamp: string | null = colleagueStamp(r.userid)) {
  const body = colleagueCreateBody(r, ORG);
  const contact: ColleagueContact = {
    id,
    changeKey: `ck-${id}`,
    displayName: body.displayName,
    givenName: body.givenName,
    companyName: body.companyName,
    jobTitle: body.jobTitle,
    emailAddresses: body.emailAddresses,
    mobilePhone: body.mobilePhone,
    department: body.department,
    categories: [],
    singleValueExtendedProperties: stamp ? [{ id: CONTACT_ORIGIN_KEY_PROPERTY_ID, value: stamp }] : [],
  };
  return contact;
}

describe('the colleague card', () => {
  test('carries name, title, department, e-mail, mobile, the organisation as company, and the colleague stamp', () => {
    expect(colleagueCreateBody(record('li'), ORG)).toEqual({
      displayName: 'Name li',
      givenName: 'Name li',
      companyName: ORG,
      jobTitle: 'Engineer',
      emailAddresses: [{ address: 'li@corp.example', name: 'Name li' }],
      mobilePhone: '+86 13800138000',
      department: '研发部',
      singleValueExtendedProperties: [{ id: CONTACT_ORIGIN_KEY_PROPERTY_ID, value: 'colleague:li' }],
    });
  });

  test('an unchanged contact needs no write', () => {
    expect(colleagueUpdateBody(record('li'), ORG, held(record('li')))).toBeUndefined();
  });

  test('what the person edited goes back to DingTalk’s values, their own categories stay', () => {
    const edited: ColleagueContact = {
      ...held(record('li')),
      jobTitle: 'Chief of everything',
      mobilePhone: '+86 139 0000 0000',
      personalNotes: 'lunch on Fridays',
      department: 'Mine',
      categories: ['Friends'],
    };
    const body = colleagueUpdateBody(record('li'), ORG, edited)!;
    expect(body).toMatchObject({
      jobTitle: 'Engineer',
      mobilePhone: '+86 13800138000',
      personalNotes: null,
      department: '研发部',
      displayName: 'Name li',
    });
    expect(body).not.toHaveProperty('categories');
  });

  test('a title DingTalk no longer has is cleared, and the department with it', () => {
    const body = colleagueUpdateBody(record('li', { title: '', department: '' }), ORG, held(record('li')))!;
    expect(body).toMatchObject({ jobTitle: null, department: null });
  });
});

describe('planColleagueWrites', () => {
  test('an empty folder gets a create per colleague, in the order given', () => {
    const plan = planColleagueWrites([record('a'), record('b')], ORG, []);
    expect(plan.map((w) => `${w.op}:${w.userid}`)).toEqual(['create:a', 'create:b']);
  });

  test('by stamp: unchanged ones are left, changed ones updated with their version, stale and doubled ones deleted', () => {
    const stays = record('stays');
    const renamed = record('renamed');
    const plan = planColleagueWrites([stays, { ...renamed, name: 'New name' }, record('new')], ORG, [
      held(stays),
      held(renamed),
      held(record('left')),
      held(stays, 'id-stays-again'),
      held(record('mine'), 'id-personal', null),
      held(record('other'), 'id-other', 'dms-some-event'),
    ]);
    expect(plan).toEqual([
      { op: 'delete', id: 'id-stays-again', version: 'ck-id-stays-again', userid: 'stays' },
      { op: 'delete', id: 'id-left', version: 'ck-id-left', userid: 'left' },
      expect.objectContaining({
        op: 'update',
        id: 'id-renamed',
        version: 'ck-id-renamed',
        userid: 'renamed',
      }),
      expect.objectContaining({ op: 'create', userid: 'new' }),
    ]);
    expect(plan.find((w) => w.op === 'update')).toMatchObject({ body: { displayName: 'New name' } });
  });

  test('a folder that matches needs nothing', () => {
    const desired = [record('a'), record('b')];
    expect(
      planColleagueWrites(
        desired,
        ORG,
        desired.map((r) => held(r)),
      ),
    ).toEqual([]);
  });
});
