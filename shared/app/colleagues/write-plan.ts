import { originKeyOf, versionOfContact } from '../../connectors/graph/contact-mapper';
import type { ColleagueRecord } from '../../store/colleague-store';
import {
  COLLEAGUE_STAMP_PREFIX,
  colleagueCreateBody,
  colleagueStamp,
  colleagueUpdateBody,
  isColleagueStamp,
  type ColleagueContact,
  type ColleagueContactWrite,
} from './colleague-card';

/**
 * What one mailbox's "DingTalk 同事" folder needs, given what it holds: the folder is compared with the desired
 * colleagues by stamp, never by name, so a renamed colleague is updated rather than duplicated, and a create whose
 * answer was lost is found by the next listing instead of being made twice.
 *
 * Order: deletes first (a colleague who left should vanish before anything else is spent), then creates and
 * updates in the order of the desired list, closest colleagues first, so a folder filled over several runs shows the
 * nearest people from the start. A contact without a colleague stamp is not ours and is left alone.
 */

export type ColleagueWrite =
  | { op: 'create'; userid: string; body: ColleagueContactWrite }
  | { op: 'update'; userid: string; id: string; version: string; body: ColleagueContactWrite }
  | { op: 'delete'; id: string; version: string; userid?: string };

export function planColleagueWrites(
  desired: ColleagueRecord[],
  orgName: string,
  held: ColleagueContact[],
): ColleagueWrite[] {
  const deletes: ColleagueWrite[] = [];
  const byStamp = new Map<string, ColleagueContact>();
  for (const contact of held) {
    const stamp = originKeyOf(contact);
    if (!isColleagueStamp(stamp)) continue;
    // Two contacts of one stamp (two runs raced a create): the first listed stays.
    if (byStamp.has(stamp)) deletes.push(deleteOf(contact, stamp));
    else byStamp.set(stamp, contact);
  }
  const wanted = new Set(desired.map((r) => colleagueStamp(r.userid)));
  for (const [stamp, contact] of byStamp) if (!wanted.has(stamp)) deletes.push(deleteOf(contact, stamp));

  const writes: ColleagueWrite[] = [];
  for (const record of desired) {
    const current = byStamp.get(colleagueStamp(record.userid));
    if (!current) {
      writes.push({ op: 'create', userid: record.userid, body: colleagueCreateBody(record, orgName) });
      continue;
    }
    const body = colleagueUpdateBody(record, orgName, current);
    if (body)
      writes.push({
        op: 'update',
        userid: record.userid,
        id: current.id,
        version: versionOfContact(current),
        body,
      });
  }
  return [...deletes, ...writes];
}

function deleteOf(contact: ColleagueContact, stamp: string): ColleagueWrite {
  return {
    op: 'delete',
    id: contact.id,
    version: versionOfContact(contact),
    userid: stamp.slice(COLLEAGUE_STAMP_PREFIX.length),
  };
}
