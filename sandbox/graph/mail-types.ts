/** Shapes shared by the fake's mail modules: what a write carries after validation, and stored attachments. */

export interface Recipient {
  emailAddress: { name: string; address: string };
}

export interface StoredAttachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId: string | null;
  contentBytes: Buffer;
  lastModifiedDateTime: string;
}

/** A validated create or update; absent fields are left alone. */
export interface MessageWrite {
  subject?: string;
  body?: { contentType: 'text' | 'html'; content: string };
  from?: Recipient | null;
  sender?: Recipient | null;
  toRecipients?: Recipient[];
  ccRecipients?: Recipient[];
  bccRecipients?: Recipient[];
  replyTo?: Recipient[];
  internetMessageId?: string;
  isRead?: boolean;
  flag?: Record<string, unknown> & { flagStatus: string };
  importance?: string;
  categories?: string[];
  inferenceClassification?: string;
  isDeliveryReceiptRequested?: boolean;
  isReadReceiptRequested?: boolean;
  internetMessageHeaders?: { name: string; value: string }[];
  singleValueExtendedProperties?: { id: string; value: string }[];
  attachments?: StoredAttachment[];
  /** Create only: what the MAPI properties (or a delivery) decide. */
  isDraft?: boolean;
  receivedDateTime?: string;
  sentDateTime?: string;
}

export interface WriteError {
  status: number;
  code: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: WriteError };
