import type { FakeGraphServices } from './context';
import { target } from './control';
import { ContactDeltaTracker } from './contact-delta';
import { ContactStore, type ContactChange } from './contact-store';
import { toRestId } from './ids';

/**
 * The contacts part of one fake Graph: its store and delta tracker, made on first use and kept beside the fake's
 * shared services (one per fake), with change notifications wired in.
 */

export interface ContactServices {
  store: ContactStore;
  delta: ContactDeltaTracker;
}

const byFake = new WeakMap<FakeGraphServices, ContactServices>();

export function contactServices(s: FakeGraphServices): ContactServices {
  let found = byFake.get(s);
  if (!found) {
    const store = new ContactStore(s.clock);
    found = { store, delta: new ContactDeltaTracker(store) };
    store.onChange((change) => notifyContactChange(s, found!.store, change));
    byFake.set(s, found);
  }
  return found;
}

/**
 * Change notifications on contacts ("Change notifications for Outlook resources": personal contacts, app-only
 * allowed with Contacts.Read): a subscription on users/{id}/contactFolders/{id}/contacts hears its folder only;
 * one on users/{id}/contacts hears every folder of the mailbox, as users/{id}/messages and users/{id}/events do
 * (the contact page does not say; see docs/graph.md).
 */
function notifyContactChange(s: FakeGraphServices, store: ContactStore, change: ContactChange): void {
  for (const sub of s.subscriptions.matching('contacts', change.mailbox, change.changeType)) {
    const folder = /contactFolders(?:\('([^']+)'\)|\/([^/]+))\/contacts$/i.exec(sub.resource);
    if (folder) {
      const key = decodeURIComponent(folder[1] ?? folder[2]!);
      if (store.folder(change.mailbox, key)?.id !== change.folderId) continue;
    }
    const id = sub.immutableIds ? change.immutableId : toRestId(change.immutableId);
    const resource = `Users/${change.mailbox}/Contacts/${id}`;
    s.notifier.change(target(sub), {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType: change.changeType,
      resource,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Contact',
        '@odata.id': resource,
        '@odata.etag': `W/"${change.changeKey}"`,
        id,
      },
      clientState: sub.clientState,
      tenantId: s.identity.tenantId,
    });
  }
}
