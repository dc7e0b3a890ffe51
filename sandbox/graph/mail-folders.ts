import { randomBytes } from 'node:crypto';

/**
 * The well-known mail folders every mailbox has, addressable by id or by their well-known name (Microsoft Graph,
 * "mailFolder resource type", well-known folder names). Folder ids are regular ids that never change
 * ("Obtain immutable identifiers for Outlook resources": containers keep constant ids).
 */

export interface MailFolder {
  id: string;
  wellKnownName: string;
  displayName: string;
  parentFolderId: string;
}

const WELL_KNOWN: [string, string][] = [
  ['inbox', 'Inbox'],
  ['drafts', 'Drafts'],
  ['sentitems', 'Sent Items'],
  ['deleteditems', 'Deleted Items'],
  ['archive', 'Archive'],
  ['junkemail', 'Junk Email'],
];

export const ROOT_FOLDER_NAME = 'msgfolderroot';

const folderId = () =>
  'AAMkADg3NzRmYjk0LTBlMzEtNDM4YS05ZjlkLTg5ZTNmMDU5Nzc2YwAuAAAAAA' +
  randomBytes(24).toString('base64url') +
  'AAA=';

export function newFolders(): MailFolder[] {
  const root: MailFolder = {
    id: folderId(),
    wellKnownName: ROOT_FOLDER_NAME,
    displayName: 'Top of Information Store',
    parentFolderId: folderId(),
  };
  return [
    root,
    ...WELL_KNOWN.map(([wellKnownName, displayName]) => ({
      id: folderId(),
      wellKnownName,
      displayName,
      parentFolderId: root.id,
    })),
  ];
}
