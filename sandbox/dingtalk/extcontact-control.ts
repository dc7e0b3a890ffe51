import { controlRoute } from './routes-control';
import { extContactsOf, type ExtContact, type ExtContactOptions, type LabelGroup } from './extcontact-store';
import { readContact, view } from './extcontact-routes';
import type { FakeState } from './fake-state';
import type { Route } from './routing';

/**
 * A DingTalk user working on external contacts in the app (the app's own screens, not the API: no token, no
 * meter; the same checks of names, follower, labels and sharing), plus the org's label groups and the app's
 * permissions. DingTalk pushes no event for external contacts (no extcontact event is known), so these changes
 * are only seen by listing.
 */
export interface ExtContactControl {
  /** The user adds an external contact they follow; answers it as extcontact/get shows it. */
  userAddsExtContact(userid: string, fields: Record<string, unknown>): Record<string, unknown>;
  /** The follower (or a colleague it is shared with) edits it; mobile and email included, as the app allows. */
  userEditsExtContact(
    userid: string,
    contactId: string,
    patch: Record<string, unknown>,
  ): Record<string, unknown>;
  userDeletesExtContact(userid: string, contactId: string): void;
  /** The contacts the user follows, in creation order. */
  extContactsOf(userid: string): Record<string, unknown>[];
  /** Every external contact of the org. */
  allExtContacts(): Record<string, unknown>[];
  addExtContactLabelGroup(name: string, labels: string[], color?: number): LabelGroup;
  extContactLabelGroups(): LabelGroup[];
  /** Grant or withdraw qyapi_ext_read / qyapi_ext_write; say whether create/update take email. */
  setExtContactOptions(options: Partial<ExtContactOptions>): void;
}

export function extContactControl(state: FakeState): ExtContactControl {
  const store = () => extContactsOf(state);
  const mayEdit = (userid: string, c: ExtContact) => {
    const user = state.org.user(userid);
    if (!user) throw new Error(`no user ${userid}`);
    const shared =
      c.share_user_ids.includes(userid) || c.share_dept_ids.some((d) => user.dept_id_list.includes(d));
    if (c.follower_user_id !== userid && !shared)
      throw new Error(`${userid} cannot edit external contact ${c.userid}`);
  };
  const found = (id: string) => {
    const c = store().get(id);
    if (!c) throw new Error(`no external contact ${id}`);
    return c;
  };
  const asApp = (input: Record<string, unknown>, mode: 'create' | 'update') => {
    // The app's screens take email too, whatever the API does with it.
    const saved = store().options.emailWritable;
    store().options.emailWritable = true;
    try {
      return readContact(state, store(), input, mode);
    } finally {
      store().options.emailWritable = saved;
    }
  };
  return {
    userAddsExtContact(userid, fields) {
      const input = {
        label_ids: [store().groups[0]!.labels[0]!.id],
        ...fields,
        follower_user_id: userid,
      };
      const mobile = String(fields.mobile ?? '');
      if (!/^\d{4,20}$/.test(mobile)) throw new Error('an external contact needs a mobile number');
      const added = store().add({
        ...(asApp(input, 'create') as Omit<ExtContact, 'userid' | 'mobile' | 'state_code'>),
        mobile,
        state_code: typeof fields.state_code === 'string' ? fields.state_code : '86',
      });
      return view(added);
    },
    userEditsExtContact(userid, contactId, patch) {
      const c = found(contactId);
      mayEdit(userid, c);
      const input = { ...view(c), ...patch };
      const fields = asApp(input, 'update');
      const mobile = typeof patch.mobile === 'string' ? { mobile: patch.mobile } : {};
      return view(store().update(contactId, { ...fields, ...mobile })!);
    },
    userDeletesExtContact(userid, contactId) {
      mayEdit(userid, found(contactId));
      store().delete(contactId);
    },
    extContactsOf: (userid) =>
      store()
        .all()
        .filter((c) => c.follower_user_id === userid)
        .map(view),
    allExtContacts: () => store().all().map(view),
    addExtContactLabelGroup: (name, labels, color = -15220075) => store().addLabelGroup(name, color, labels),
    extContactLabelGroups: () => store().groups,
    setExtContactOptions(options) {
      Object.assign(store().options, options);
    },
  };
}

/** The same over HTTP under /_control/. */
export function extContactControlRoutes(control: ExtContactControl): Route[] {
  const route = controlRoute;
  return [
    route('GET', '/_control/users/{userid}/extcontacts', (req) => control.extContactsOf(req.params.userid!)),
    route('POST', '/_control/users/{userid}/extcontacts', (req, b) =>
      control.userAddsExtContact(req.params.userid!, b),
    ),
    route('PATCH', '/_control/users/{userid}/extcontacts/{id}', (req, b) =>
      control.userEditsExtContact(req.params.userid!, req.params.id!, b),
    ),
    route('DELETE', '/_control/users/{userid}/extcontacts/{id}', (req) =>
      control.userDeletesExtContact(req.params.userid!, req.params.id!),
    ),
    route('GET', '/_control/extcontacts', () => control.allExtContacts()),
    route('GET', '/_control/extcontact-labels', () => control.extContactLabelGroups()),
    route('POST', '/_control/extcontact-labels', (_, b) =>
      control.addExtContactLabelGroup(
        String(b.name),
        (b.labels as string[]) ?? [],
        b.color as number | undefined,
      ),
    ),
    route('PUT', '/_control/extcontact-options', (_, b) => control.setExtContactOptions(b)),
  ];
}
