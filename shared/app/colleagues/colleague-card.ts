import {
  contactCreateBody,
  contactUpdateBody,
  type GraphContact,
  type GraphContactWrite,
} from '../../connectors/graph/contact-mapper';
import type { ColleagueRecord } from '../../store/colleague-store';
import type { ContactCard } from '../../sync/contact-card';

/**
 * The Outlook contact written for a colleague: name, title, department, e-mail, mobile, and the organisation's
 * name as company. It carries the same extended-property stamp as every item this app writes, with the value
 * "colleague:<DingTalk userid>", which is how a run finds the contact again (and never makes a second one).
 *
 * One way: whatever the person edits on such a contact is set back to DingTalk's values at the next run, except
 * categories, which are the person's own and are kept (the mapper never touches a category that is not a label).
 */

export const COLLEAGUE_STAMP_PREFIX = 'colleague:';

export const colleagueStamp = (userid: string): string => `${COLLEAGUE_STAMP_PREFIX}${userid}`;

export const isColleagueStamp = (stamp: string | undefined): stamp is string =>
  stamp !== undefined && stamp.startsWith(COLLEAGUE_STAMP_PREFIX);

/** Outlook's department property, which the external-contact card has no use for. */
export type ColleagueContact = GraphContact & { department?: string | null };
export type ColleagueContactWrite = GraphContactWrite & { department?: string | null };

/** Colleague cards carry no labels, so no category is ever one. */
const NO_LABELS = () => false;

export function colleagueCard(record: ColleagueRecord, orgName: string): ContactCard {
  return {
    name: record.name,
    company: orgName,
    title: record.title,
    email: record.email,
    mobile: record.mobile,
    address: '',
    notes: '',
    labels: [],
  };
}

export function colleagueCreateBody(record: ColleagueRecord, orgName: string): ColleagueContactWrite {
  const body: ColleagueContactWrite = contactCreateBody(
    colleagueCard(record, orgName),
    colleagueStamp(record.userid),
  );
  if (record.department) body.department = record.department;
  return body;
}

/** The PATCH that makes `current` show the colleague as DingTalk has them, or undefined when it already does. */
export function colleagueUpdateBody(
  record: ColleagueRecord,
  orgName: string,
  current: ColleagueContact,
): ColleagueContactWrite | undefined {
  const body: ColleagueContactWrite =
    contactUpdateBody(colleagueCard(record, orgName), current, NO_LABELS) ?? {};
  if ((current.department ?? '') !== record.department) body.department = record.department || null;
  if (Object.keys(body).length === 0) return undefined;
  // Graph's contact page: an update without displayName may let Outlook regenerate it.
  body.displayName = record.name;
  return body;
}
