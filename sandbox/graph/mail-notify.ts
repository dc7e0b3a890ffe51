import type { FakeGraphServices } from './context';
import { target } from './control';
import type { MailChange } from './mail-store';

/**
 * Change notifications for messages ("Change notifications for Outlook resources"): a subscription on
 * users/{id}/messages hears every folder, one on users/{id}/mailFolders('inbox')/messages (or /mailFolders/{id})
 * only its folder. A move is heard as deleted in the source folder and created in the destination, the way
 * delta reports it; a read or flag change is an update (unverified for the real service, see docs/graph.md).
 */
export function notifyMailChange(s: FakeGraphServices, tenantId: string, change: MailChange): void {
  for (const sub of s.subscriptions.matching('messages', change.mailbox, change.changeType)) {
    if (sub.mailFolder && s.mail.folder(change.mailbox, sub.mailFolder)?.id !== change.folderId) continue;
    const id = sub.immutableIds ? change.immutableId : change.restId;
    const resource = `Users/${change.mailbox}/Messages/${id}`;
    s.notifier.change(target(sub), {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType: change.changeType,
      resource,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Message',
        '@odata.id': resource,
        '@odata.etag': `W/"${change.changeKey}"`,
        id,
      },
      clientState: sub.clientState,
      tenantId,
    });
  }
}
