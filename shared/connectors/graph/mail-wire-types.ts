import type { GraphEmailAddress, GraphSingleValueExtendedProperty } from './wire-types';

/**
 * The parts of Graph v1.0's message, fileAttachment and uploadSession shapes the mail adapter reads and writes
 * (property names of the CSDL types in schemas/graph-v1.0.csdl).
 */

export interface GraphRecipient {
  emailAddress: GraphEmailAddress;
}

export type GraphFlagStatus = 'notFlagged' | 'complete' | 'flagged';

export interface GraphMessage {
  '@odata.etag'?: string;
  '@removed'?: { reason: string };
  id: string;
  changeKey?: string;
  lastModifiedDateTime?: string;
  receivedDateTime?: string;
  sentDateTime?: string | null;
  internetMessageId?: string | null;
  subject?: string | null;
  from?: GraphRecipient | null;
  isRead?: boolean;
  isDraft?: boolean;
  flag?: { flagStatus?: GraphFlagStatus };
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

export interface GraphFileAttachmentWrite {
  '@odata.type': '#microsoft.graph.fileAttachment';
  name: string;
  contentType: string;
  contentBytes: string;
  isInline: boolean;
  contentId?: string;
}

/** What we POST to create a message. */
export interface GraphMessageWrite {
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  from?: GraphRecipient;
  sender?: GraphRecipient;
  toRecipients: GraphRecipient[];
  ccRecipients: GraphRecipient[];
  replyTo: GraphRecipient[];
  internetMessageId?: string;
  isRead: boolean;
  flag: { flagStatus: GraphFlagStatus };
  singleValueExtendedProperties: GraphSingleValueExtendedProperty[];
  attachments?: GraphFileAttachmentWrite[];
}

export interface GraphUploadSession {
  uploadUrl: string;
  expirationDateTime?: string;
  nextExpectedRanges?: string[];
}
