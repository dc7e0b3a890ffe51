import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { LocalHost } from '../../sandbox/host';
import type { DemoPerson } from './demo-org';
import { say } from './say';
import { unlessAborted, waitFor } from './wait';

interface DemoParts {
  host: LocalHost;
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  people: DemoPerson[];
  /** Ctrl-C: the demo stops at its next wait (rejecting with the signal's reason) instead of playing on. */
  signal: AbortSignal;
}

function tomorrowAt(hour: number): string {
  const d = new Date(Date.now() + 86400e3);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
}

const subjectOf = (e: Record<string, unknown>) => String(e.subject ?? e.summary ?? '');

/** Shows sync happening: each step changes one side as a person would and waits until the other side shows it. */
export async function runDemo({ host, graph, dingtalk, people, signal }: DemoParts): Promise<void> {
  const [zhang, alice] = people;
  say('first maintenance run: pairing users by e-mail, creating Graph subscriptions, first sync…');
  await unlessAborted(host.invoke('maintenance'), signal);
  await waitFor(
    'Graph subscriptions',
    () => (graph.control.subscriptions().length >= people.length ? true : undefined),
    signal,
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
  const inOutlook = await waitFor(
    'the DingTalk event in Outlook',
    () => graph.control.listEvents(zhang.entraId).find((e) => subjectOf(e) === subject),
    signal,
  );
  say(`✓ it appears in ${zhang.name}'s Outlook calendar after ${inOutlook.ms} ms`);

  const renamed = `${subject} (moved to Room 502)`;
  graph.control.updateEvent(zhang.entraId, String(inOutlook.value.id), {
    subject: renamed,
    location: { displayName: 'Room 502' },
  });
  say(`${zhang.name} renames it in Outlook`);
  const backInDingTalk = await waitFor(
    'the Outlook edit in DingTalk',
    () =>
      dingtalk.control.calendarOf(zhang.unionId).find((e) => e.id === created.id && subjectOf(e) === renamed),
    signal,
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
  const inDingTalk = await waitFor(
    'the Outlook event in DingTalk',
    () =>
      dingtalk.control
        .calendarOf(alice.unionId)
        .find((e) => subjectOf(e) === meeting && e.status !== 'cancelled'),
    signal,
  );
  say(`✓ it blocks ${alice.name}'s DingTalk calendar after ${inDingTalk.ms} ms`);

  dingtalk.control.userDeletesEvent(zhang.unionId, String(created.id));
  say(`${zhang.name} deletes the supplier review in DingTalk`);
  const gone = await waitFor(
    'the deletion in Outlook',
    () =>
      graph.control.getEvent(zhang.entraId, String(inOutlook.value.id)) === undefined ? true : undefined,
    signal,
  );
  say(`✓ it is gone from Outlook after ${gone.ms} ms`);
}
