import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { LocalHost } from '../../sandbox/host';
import type { DemoPerson } from './demo-org';
import { say } from './say';

interface DemoParts {
  host: LocalHost;
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  people: DemoPerson[];
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 20000,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`demo: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function tomorrowAt(hour: number): string {
  const d = new Date(Date.now() + 86400e3);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
}

const subjectOf = (e: Record<string, unknown>) => String(e.subject ?? e.summary ?? '');

/** Shows sync happening: each step changes one side as a person would and waits until the other side shows it. */
export async function runDemo({ host, graph, dingtalk, people }: DemoParts): Promise<void> {
  const [zhang, alice] = people;
  say('first maintenance run: pairing users by e-mail, creating Graph subscriptions, first sync…');
  await host.invoke('maintenance');
  await waitFor('Graph subscriptions', () =>
    graph.control.subscriptions().length >= people.length ? true : undefined,
  );
  say(
    `${graph.control.subscriptions().length} Graph subscriptions created (validation handshake answered by this app)`,
  );

  const subject = `Supplier review 供应商评审 ${new Date().toISOString().slice(11, 19)}`;
  const created = dingtalk.control.userCreatesEvent(zhang.unionId, {
    summary: subject,
    description: 'Quarterly review with the Shenzhen supplier',
    start: { dateTime: `${tomorrowAt(10)}+08:00`, timeZone: 'Asia/Shanghai' },
    end: { dateTime: `${tomorrowAt(11)}+08:00`, timeZone: 'Asia/Shanghai' },
    location: { displayName: 'Room 301' },
  });
  say(`${zhang.name} creates "${subject}" in DingTalk`);
  const inOutlook = await waitFor('the DingTalk event in Outlook', () =>
    graph.control.listEvents(zhang.entraId).find((e) => subjectOf(e) === subject),
  );
  say(`✓ it appears in ${zhang.name}'s Outlook calendar after ${inOutlook.ms} ms`);

  const renamed = `${subject} (moved to Room 502)`;
  graph.control.updateEvent(zhang.entraId, String(inOutlook.value.id), {
    subject: renamed,
    location: { displayName: 'Room 502' },
  });
  say(`${zhang.name} renames it in Outlook`);
  const backInDingTalk = await waitFor('the Outlook edit in DingTalk', () =>
    dingtalk.control.calendarOf(zhang.unionId).find((e) => e.id === created.id && subjectOf(e) === renamed),
  );
  say(`✓ DingTalk shows the new title after ${backInDingTalk.ms} ms`);

  const meeting = `Client call with Contoso ${new Date().toISOString().slice(11, 19)}`;
  graph.control.createEvent(alice.entraId, {
    subject: meeting,
    body: { contentType: 'text', content: 'Agenda: renewal' },
    start: { dateTime: tomorrowAt(15), timeZone: 'Europe/London' },
    end: { dateTime: tomorrowAt(16), timeZone: 'Europe/London' },
  });
  say(`${alice.name} books "${meeting}" in Outlook`);
  const inDingTalk = await waitFor('the Outlook event in DingTalk', () =>
    dingtalk.control
      .calendarOf(alice.unionId)
      .find((e) => subjectOf(e) === meeting && e.status !== 'cancelled'),
  );
  say(`✓ it blocks ${alice.name}'s DingTalk calendar after ${inDingTalk.ms} ms`);

  dingtalk.control.userDeletesEvent(zhang.unionId, String(created.id));
  say(`${zhang.name} deletes the supplier review in DingTalk`);
  const gone = await waitFor('the deletion in Outlook', () =>
    graph.control.getEvent(zhang.entraId, String(inOutlook.value.id)) === undefined ? true : undefined,
  );
  say(`✓ it is gone from Outlook after ${gone.ms} ms`);
  say('demo complete: no duplicates, no echoes; every write is in the audit table.');
}
