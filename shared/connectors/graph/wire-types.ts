/**
 * The parts of Graph v1.0 wire shapes this project reads and writes. Property names are those of the CSDL types
 * (schemas/graph-v1.0.csdl); test/contract/graph/schema.test.ts checks every body we send against it.
 */

export interface GraphCollection<T> {
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  value: T[];
}

export interface GraphDateTimeTimeZone {
  dateTime: string;
  timeZone?: string;
}

export interface GraphEmailAddress {
  address?: string;
  name?: string;
}

export type GraphResponseType =
  'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';

export interface GraphAttendee {
  emailAddress?: GraphEmailAddress;
  type?: 'required' | 'optional' | 'resource';
  status?: { response?: GraphResponseType; time?: string };
}

export type GraphDayOfWeek =
  'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

export interface GraphRecurrencePattern {
  type?: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
  interval?: number;
  daysOfWeek?: GraphDayOfWeek[];
  dayOfMonth?: number;
  month?: number;
  index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
  firstDayOfWeek?: GraphDayOfWeek;
}

export interface GraphRecurrenceRange {
  type?: 'endDate' | 'noEnd' | 'numbered';
  startDate?: string;
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}

export interface GraphPatternedRecurrence {
  pattern?: GraphRecurrencePattern;
  range?: GraphRecurrenceRange;
}

export interface GraphSingleValueExtendedProperty {
  id: string;
  value?: string;
}

export type GraphEventType = 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';

export interface GraphEvent {
  '@odata.type'?: string;
  '@odata.etag'?: string;
  '@removed'?: { reason: string };
  id: string;
  changeKey?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  iCalUId?: string;
  subject?: string | null;
  body?: { contentType?: 'text' | 'html'; content?: string };
  bodyPreview?: string;
  start?: GraphDateTimeTimeZone;
  end?: GraphDateTimeTimeZone;
  originalStartTimeZone?: string | null;
  originalEndTimeZone?: string | null;
  originalStart?: string | null;
  isAllDay?: boolean;
  isCancelled?: boolean;
  isOrganizer?: boolean;
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  location?: { displayName?: string | null };
  attendees?: GraphAttendee[];
  organizer?: { emailAddress?: GraphEmailAddress };
  recurrence?: GraphPatternedRecurrence | null;
  type?: GraphEventType;
  seriesMasterId?: string | null;
  isOnlineMeeting?: boolean;
  onlineMeeting?: { joinUrl?: string | null } | null;
  onlineMeetingUrl?: string | null;
  showAs?: string;
  transactionId?: string | null;
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

/** What we send on POST/PATCH of an event. */
export interface GraphEventWrite {
  subject?: string;
  body?: { contentType: 'text' | 'html'; content: string };
  start?: GraphDateTimeTimeZone;
  end?: GraphDateTimeTimeZone;
  isAllDay?: boolean;
  location?: { displayName: string };
  recurrence?: GraphPatternedRecurrence | null;
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  showAs?: 'free' | 'busy';
  transactionId?: string;
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string | null;
  expirationDateTime: string;
  clientState?: string | null;
  applicationId?: string;
  creatorId?: string;
  includeResourceData?: boolean | null;
  latestSupportedTlsVersion?: string;
  encryptionCertificate?: string | null;
  encryptionCertificateId?: string | null;
  notificationUrlAppId?: string | null;
}

export interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string;
  proxyAddresses?: string[];
  accountEnabled?: boolean;
}

export type GraphLifecycleEvent = 'missed' | 'subscriptionRemoved' | 'reauthorizationRequired';

export interface GraphChangeNotification {
  id?: string;
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  clientState?: string | null;
  changeType?: 'created' | 'updated' | 'deleted';
  resource?: string;
  tenantId: string;
  resourceData?: { '@odata.type'?: string; '@odata.id'?: string; '@odata.etag'?: string; id?: string };
  lifecycleEvent?: GraphLifecycleEvent;
}

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError?: { date?: string; 'request-id'?: string; 'client-request-id'?: string };
  };
}
