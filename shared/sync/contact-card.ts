import { recordMerge } from './record-merge';
import { normalizeText } from './todo-task';

/**
 * The canonical contact: what the DingTalk external-contact adapter (topapi/extcontact) and the Outlook contact
 * adapter map to and from (docs/contacts-mapping.md says what is carried each way, and what is not).
 */
export interface ContactCard {
  name: string;
  company: string;
  title: string;
  /** Lower-cased address; DingTalk holds one. */
  email: string;
  /** E.164-style "+<country code> <number>" (DingTalk's state_code and mobile). */
  mobile: string;
  /** One line; Outlook's business address parts joined by ", ". */
  address: string;
  notes: string;
  /** DingTalk label names ⇄ Outlook categories of the same name, sorted. */
  labels: string[];
}

/**
 * Fields merged one by one against the last synced values (record-merge.ts). DingTalk's extcontact/update takes
 * neither mobile nor e-mail, so DingTalk's values lead for those; an empty DingTalk e-mail never wipes Outlook's.
 */
export const contactMerge = recordMerge<ContactCard>('contact1', {
  name: 'both',
  company: 'both',
  title: 'both',
  email: 'dingtalk-owned',
  mobile: 'dingtalk-owned',
  address: 'both',
  notes: 'both',
  labels: 'both',
});

export const contactHash = (card: ContactCard): string => contactMerge.hash(card);

/** First-sync match keys, strongest first: the e-mail address, then the normalised name and company. */
export function contactMatchKeys(card: ContactCard): string[] {
  const keys: string[] = [];
  if (card.email) keys.push(`email:${card.email.trim().toLowerCase()}`);
  keys.push(`name:${normalizeText(card.name)}|${normalizeText(card.company)}`);
  return keys;
}
