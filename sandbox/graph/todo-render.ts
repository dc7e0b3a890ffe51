import type { StoredLinkedResource, StoredTodoList, StoredTodoTask } from './todo-store';
import { ianaZoneOf, instantToLocal, isoUtc, localToInstant } from './todo-time';

/**
 * To Do entities as Graph renders them (the todoTask, todoTaskList and linkedResource types of the v1.0 CSDL).
 * Times are UTC unless the request says Prefer: outlook.timezone, which Graph honours on To Do
 * (microsoftgraph/microsoft-graph-docs-contrib#8664 shows completedDateTime converted to the preferred zone).
 */

export interface TodoQuery {
  /** undefined = every property. */
  select?: Set<string>;
  expandLinked: boolean;
}

export interface TodoView {
  query: TodoQuery;
  /** Zone name from Prefer: outlook.timezone, when given and known. */
  zoneName?: string;
}

export const TASK_PROPERTIES = [
  'id',
  'title',
  'body',
  'importance',
  'status',
  'isReminderOn',
  'createdDateTime',
  'lastModifiedDateTime',
  'bodyLastModifiedDateTime',
  'hasAttachments',
  'categories',
  'dueDateTime',
  'startDateTime',
  'reminderDateTime',
  'completedDateTime',
  'recurrence',
];

export function renderList(list: StoredTodoList): Record<string, unknown> {
  return {
    '@odata.etag': `W/"${list.changeKey}"`,
    displayName: list.displayName,
    isOwner: true,
    isShared: false,
    wellknownListName: list.wellknownListName,
    id: list.id,
  };
}

export function renderLinkedResource(r: StoredLinkedResource): Record<string, unknown> {
  return {
    id: r.id,
    webUrl: r.webUrl ?? null,
    applicationName: r.applicationName ?? null,
    displayName: r.displayName ?? null,
    externalId: r.externalId ?? null,
  };
}

export function renderTask(t: StoredTodoTask, view: TodoView): Record<string, unknown> {
  const zoneName = view.zoneName ?? 'UTC';
  const zone = ianaZoneOf(zoneName) ?? 'UTC';
  const zoned = (instant: number | undefined) =>
    instant === undefined ? undefined : { dateTime: instantToLocal(instant, zone), timeZone: zoneName };
  const all: Record<string, unknown> = {
    importance: t.importance,
    isReminderOn: t.isReminderOn,
    status: t.status,
    title: t.title ?? '',
    createdDateTime: isoUtc(t.createdDateTime),
    lastModifiedDateTime: isoUtc(t.lastModifiedDateTime),
    hasAttachments: false,
    categories: [...t.categories],
    id: t.id,
    body: { ...t.body },
    bodyLastModifiedDateTime: isoUtc(t.bodyLastModifiedDateTime),
    dueDateTime: t.due && zoned(localToInstant(`${t.due.date}T00:00:00.000`, t.due.zone)),
    startDateTime: zoned(t.startDateTime),
    reminderDateTime: zoned(t.reminderDateTime),
    completedDateTime: zoned(t.completedDateTime),
    recurrence: t.recurrence && renderRecurrence(t.recurrence),
  };
  const out: Record<string, unknown> = { '@odata.etag': `W/"${t.changeKey}"` };
  for (const [name, value] of Object.entries(all)) {
    if (value === undefined) continue;
    if (view.query.select && name !== 'id' && !view.query.select.has(name)) continue;
    out[name] = value;
  }
  if (view.query.expandLinked) out.linkedResources = t.linkedResources.map(renderLinkedResource);
  return out;
}

function renderRecurrence(r: NonNullable<StoredTodoTask['recurrence']>): Record<string, unknown> {
  const p = r.pattern ?? {};
  const range = r.range ?? {};
  return {
    pattern: {
      type: p.type,
      interval: p.interval ?? 1,
      month: p.month ?? 0,
      dayOfMonth: p.dayOfMonth ?? 0,
      daysOfWeek: p.daysOfWeek ?? [],
      firstDayOfWeek: p.firstDayOfWeek ?? 'sunday',
      index: p.index ?? 'first',
    },
    range: {
      type: range.type ?? 'noEnd',
      startDate: range.startDate ?? '0001-01-01',
      endDate: range.endDate ?? '0001-01-01',
      recurrenceTimeZone: range.recurrenceTimeZone ?? 'UTC',
      numberOfOccurrences: range.numberOfOccurrences ?? 0,
    },
  };
}

/** $select and $expand on tasks; anything else in them is a 400 like Graph's OData parser gives. */
export function parseTodoQuery(
  params: URLSearchParams,
): { ok: true; value: TodoQuery } | { ok: false; error: string } {
  const query: TodoQuery = { expandLinked: false };
  const expand = params.get('$expand');
  if (expand !== null) {
    for (const item of expand.split(',').map((x) => x.trim())) {
      if (item !== 'linkedResources')
        return {
          ok: false,
          error: `Parsing OData Select and Expand failed: Could not find a property named '${item.split('(')[0]}' on type 'microsoft.graph.todoTask'.`,
        };
      query.expandLinked = true;
    }
  }
  const select = params.get('$select');
  if (select !== null) {
    const names = select.split(',').map((x) => x.trim());
    const unknown = names.find((n) => !TASK_PROPERTIES.includes(n));
    if (unknown)
      return {
        ok: false,
        error: `Parsing OData Select and Expand failed: Could not find a property named '${unknown}' on type 'microsoft.graph.todoTask'.`,
      };
    query.select = new Set(names);
  }
  return { ok: true, value: query };
}
