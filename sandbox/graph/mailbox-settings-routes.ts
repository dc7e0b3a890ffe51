import { fail, hasRole, resolveUser, type FakeGraphServices, type GraphRequest } from './context';
import { sendJson } from './http-util';

/**
 * GET /users/{id}/mailboxSettings[/{property}] (learn.microsoft.com/graph/api/user-get-mailboxsettings). Application
 * permission MailboxSettings.Read or MailboxSettings.ReadWrite; without it 403 ErrorAccessDenied. A user without
 * an Exchange Online mailbox (unlicensed, on premises, inactive) answers 404 MailboxNotEnabledForRESTAPI, as every
 * mailbox resource does (resolveUser; the message is the one Graph gives today, msgraph-sdk-powershell#3531).
 * Property names as the mailboxSettings complex type of the v1.0 CSDL; the values are a new mailbox's defaults.
 */

const ROLES = ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'];

function defaults(): Record<string, unknown> {
  return {
    archiveFolder: '',
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      internalReplyMessage: '',
      externalReplyMessage: '',
      scheduledStartDateTime: { dateTime: '2026-01-01T00:00:00.0000000', timeZone: 'UTC' },
      scheduledEndDateTime: { dateTime: '2026-01-02T00:00:00.0000000', timeZone: 'UTC' },
    },
    timeZone: 'China Standard Time',
    language: { locale: 'zh-CN', displayName: 'Chinese (Simplified, China)' },
    workingHours: {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '09:00:00.0000000',
      endTime: '18:00:00.0000000',
      timeZone: { name: 'China Standard Time' },
    },
    userPurpose: 'user',
    dateFormat: 'yyyy/M/d',
    timeFormat: 'H:mm',
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
  };
}

export function handleMailboxSettings(s: FakeGraphServices, r: GraphRequest): boolean {
  const [users, userKey, resource, property, ...rest] = r.segments;
  if (users !== 'users' || !userKey || resource?.toLowerCase() !== 'mailboxsettings' || rest.length > 0) {
    return false;
  }
  if (r.method !== 'GET') {
    fail(s, r, 405, 'ErrorInvalidRequest', 'The OData request is not supported.');
    return true;
  }
  if (!hasRole(r, ROLES)) {
    fail(s, r, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return true;
  }
  const user = resolveUser(s, r, userKey, true);
  if (!user) return true;
  const settings = defaults();
  const context = `${s.origin()}/v1.0/$metadata#users('${user.id}')/mailboxSettings`;
  if (!property) {
    sendJson(r.res, 200, { '@odata.context': context, ...settings });
    return true;
  }
  const name = Object.keys(settings).find((k) => k.toLowerCase() === property.toLowerCase());
  if (!name) {
    fail(s, r, 400, 'BadRequest', `Resource not found for the segment '${property}'.`);
    return true;
  }
  const value = settings[name];
  sendJson(
    r.res,
    200,
    typeof value === 'object' && value !== null
      ? { '@odata.context': `${context}/${name}`, ...value }
      : { '@odata.context': `${context}/${name}`, value },
  );
  return true;
}
