import type { FakeState } from './fake-state';

/**
 * The org's external contacts (外部联系人) and their label groups, as the oapi topapi/extcontact/* APIs show them
 * (DingTalk's documentation: "Get the external contact list", "…details", "Add/Update/Delete external contacts",
 * "Get the list of external contact tags"). A contact belongs to the org and has one follower (负责人,
 * follower_user_id); it can be shared with colleagues (share_user_ids) and departments (share_dept_ids). The app
 * sees every contact of the org; who follows or shares one is for the caller to filter.
 */

export interface ExtContact {
  userid: string;
  name: string;
  mobile: string;
  state_code: string;
  follower_user_id: string;
  label_ids: number[];
  share_user_ids: string[];
  share_dept_ids: number[];
  company_name?: string;
  title?: string;
  email?: string;
  address?: string;
  remark?: string;
}

export interface LabelGroup {
  name: string;
  color: number;
  labels: { name: string; id: number }[];
}

export interface ExtContactOptions {
  /** qyapi_ext_read / qyapi_ext_write granted to the app (both by default). */
  read: boolean;
  write: boolean;
  /** The API documents email on get only; whether create/update take it is unknown (default: ignored). */
  emailWritable: boolean;
}

let counter = 0;

export class ExtContactStore {
  /** Creation order, which the list pages over. */
  private readonly contacts = new Map<string, ExtContact>();
  readonly groups: LabelGroup[] = [];
  readonly options: ExtContactOptions = { read: true, write: true, emailWritable: false };
  private nextLabelId = 1026002;

  constructor() {
    // A new org's label groups; the group, label and id are the documentation's example, the others assumed.
    this.addLabelGroup('类型', -15220075, ['客户', '供应商', '合作伙伴']);
  }

  addLabelGroup(name: string, color: number, labels: string[]): LabelGroup {
    const group: LabelGroup = {
      name,
      color,
      labels: labels.map((l) => ({ name: l, id: this.nextLabelId++ })),
    };
    this.groups.push(group);
    return group;
  }

  labelExists(id: number): boolean {
    return this.groups.some((g) => g.labels.some((l) => l.id === id));
  }

  add(fields: Omit<ExtContact, 'userid'>): ExtContact {
    const contact: ExtContact = {
      userid: `0${Date.now().toString().slice(-9)}${String(++counter).padStart(8, '0')}`,
      ...fields,
    };
    this.contacts.set(contact.userid, contact);
    return { ...contact };
  }

  get(userid: string): ExtContact | undefined {
    const c = this.contacts.get(userid);
    return c && { ...c };
  }

  update(userid: string, patch: Partial<Omit<ExtContact, 'userid'>>): ExtContact | undefined {
    const c = this.contacts.get(userid);
    if (!c) return undefined;
    for (const [k, v] of Object.entries(patch))
      if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
    return { ...c };
  }

  delete(userid: string): boolean {
    return this.contacts.delete(userid);
  }

  all(): ExtContact[] {
    return [...this.contacts.values()].map((c) => ({ ...c }));
  }
}

const byState = new WeakMap<FakeState, ExtContactStore>();

/** The external contacts of one fake DingTalk, made on first use and kept beside its state. */
export function extContactsOf(state: FakeState): ExtContactStore {
  let store = byState.get(state);
  if (!store) {
    store = new ExtContactStore();
    byState.set(state, store);
  }
  return store;
}
