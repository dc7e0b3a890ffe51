import fc from 'fast-check';
import { parseLifecycleBatch, verifyLifecycleItems } from '../../../shared/ingress/graph/lifecycle';
import { parseNotificationBatch, verifyNotificationItems } from '../../../shared/ingress/graph/notifications';
import { validationResponse } from '../../../shared/ingress/graph/validation';
import {
  CLIENT_STATE,
  lifecycleNotification,
  lookup,
  notification,
  OTHER_CLIENT_STATE,
  OTHER_SUBSCRIPTION_ID,
  SUBSCRIPTION_ID,
} from './support/graph-fixtures';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('FUZZ_RUNS', 1000));
/** Fewer runs than this (a quick FUZZ_RUNS) cannot be counted on to reach every branch. */
const ENOUGH_TO_REACH_EVERY_BRANCH = 1000;
const everyBranchExpected = RUNS.numRuns >= ENOUGH_TO_REACH_EVERY_BRANCH;
const MAX_BYTES = 64 * 1024;
const REAL_SECRET: Record<string, string> = {
  [SUBSCRIPTION_ID]: CLIENT_STATE,
  [OTHER_SUBSCRIPTION_ID]: OTHER_CLIENT_STATE,
};

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(''));
const contentType = fc.oneof(
  fc.constant('application/json'),
  fc.constant('application/json; charset=utf-8'),
  fc.constant(undefined),
  anyText,
);
const subscriptionId = fc.oneof(fc.constantFrom(SUBSCRIPTION_ID, OTHER_SUBSCRIPTION_ID, 'not-ours'), anyText);
/** Mostly near misses of the real secrets, plus the right ones now and then so acceptance is exercised too. */
const clientState = fc.oneof(
  fc.constantFrom(
    CLIENT_STATE,
    OTHER_CLIENT_STATE,
    CLIENT_STATE.slice(1),
    CLIENT_STATE + ' ',
    CLIENT_STATE.toUpperCase(),
  ),
  anyText,
  fc.jsonValue(),
);
const field = <T>(value: fc.Arbitrary<T>) => fc.oneof(value, fc.jsonValue(), fc.constant(undefined));

const notificationItem = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      subscriptionId: field(subscriptionId),
      clientState,
      changeType: field(fc.constantFrom('created', 'updated', 'deleted', 'created,updated', 'Created')),
      resource: field(anyText),
      resourceData: field(
        fc.record({ id: field(anyText), '@odata.etag': field(anyText) }, { requiredKeys: [] }),
      ),
      lifecycleEvent: fc.constantFrom(undefined, undefined, undefined, 'missed'),
    },
    { requiredKeys: [] },
  ),
  fc.record({ subscriptionId, clientState }).map((overrides) => notification(overrides)),
);

const lifecycleItem = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      subscriptionId: field(subscriptionId),
      clientState,
      lifecycleEvent: field(
        fc.constantFrom('reauthorizationRequired', 'subscriptionRemoved', 'missed', 'Missed', 'other'),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record({ subscriptionId, clientState }).map((overrides) => lifecycleNotification(overrides)),
);

const batchBody = (item: fc.Arbitrary<unknown>) =>
  fc.oneof(
    anyText,
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({ value: fc.oneof(fc.jsonValue(), fc.array(item, { maxLength: 8 })) })
      .map((v) => JSON.stringify(v)),
    fc.array(item, { maxLength: 8 }).map((value) => JSON.stringify({ value })),
  );

function expectStatusIfRejected(result: { ok: boolean; status?: number }): void {
  if (!result.ok) expect([400, 413, 415]).toContain(result.status);
}

describe('Graph notification verifier under fuzzing', () => {
  it('never throws, refuses bad envelopes with a 4xx, and accepts only items carrying their own subscription’s clientState', () => {
    const seen = { accepted: 0, rejected: 0, dropped: 0 };
    fc.assert(
      fc.property(contentType, batchBody(notificationItem), (type, body) => {
        const batch = parseNotificationBatch(type, body, MAX_BYTES);
        expectStatusIfRejected(batch);
        if (!batch.ok) return;
        const { accepted, rejected } = verifyNotificationItems(batch.items, lookup);
        expect(accepted.length + rejected.length).toBe(batch.items.length);
        seen.accepted += accepted.length;
        seen.rejected += rejected.length;
        seen.dropped += batch.dropped.length;
        for (const { item } of accepted) {
          expect(item.clientState).toBe(REAL_SECRET[item.subscriptionId]);
          expect(['created', 'updated', 'deleted']).toContain(item.changeType);
          expect(item.resource.length).toBeGreaterThan(0);
        }
        for (const { item } of rejected) expect(item.clientState).not.toBe(REAL_SECRET[item.subscriptionId]);
      }),
      RUNS,
    );
    // The generators must reach every branch, or the property above proves little.
    if (everyBranchExpected) {
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.rejected).toBeGreaterThan(0);
      expect(seen.dropped).toBeGreaterThan(0);
    }
  });

  it('refuses any non-JSON content type with 415 before reading the body', () => {
    const notJson = anyText.filter((t) => t.split(';')[0]!.trim().toLowerCase() !== 'application/json');
    fc.assert(
      fc.property(notJson, fc.string(), (type, body) => {
        expect(parseNotificationBatch(type, body, MAX_BYTES)).toMatchObject({ ok: false, status: 415 });
      }),
      RUNS,
    );
  });

  it('refuses bodies over the cap with 413 whatever they hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), fc.nat(), (body, slack) => {
        const cap = Math.max(0, Buffer.byteLength(body) - 1 - (slack % Buffer.byteLength(body)));
        expect(parseNotificationBatch('application/json', body, cap)).toMatchObject({
          ok: false,
          status: 413,
        });
      }),
      RUNS,
    );
  });
});

describe('Graph lifecycle verifier under fuzzing', () => {
  it('never throws and gives actions only for items carrying their own subscription’s clientState', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(contentType, batchBody(lifecycleItem), (type, body) => {
        const batch = parseLifecycleBatch(type, body, MAX_BYTES);
        expectStatusIfRejected(batch);
        if (!batch.ok) return;
        const { accepted, rejected } = verifyLifecycleItems(batch.items, lookup);
        expect(accepted.length + rejected.length).toBe(batch.items.length);
        seen.accepted += accepted.length;
        seen.rejected += rejected.length;
        for (const { item, action } of accepted) {
          expect(item.clientState).toBe(REAL_SECRET[item.subscriptionId]);
          expect(action.subscriptionId).toBe(item.subscriptionId);
          expect(['renew', 'recreate', 'resync']).toContain(action.action);
        }
      }),
      RUNS,
    );
    if (everyBranchExpected) {
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.rejected).toBeGreaterThan(0);
    }
  });
});

describe('Graph validation handshake under fuzzing', () => {
  it('never throws, echoes exactly the decoded token when it is 1..1024 chars, else 400 or nothing', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, asToken) => {
        const query = asToken ? new URLSearchParams({ validationToken: text }) : new URLSearchParams(text);
        const tokens = query.getAll('validationToken');
        const response = validationResponse(query);
        if (tokens.length === 0) return expect(response).toBeUndefined();
        expect(response!.contentType).toBe('text/plain');
        expect(response!.headers['X-Content-Type-Options']).toBe('nosniff');
        const echoable = tokens.length === 1 && tokens[0]!.length >= 1 && tokens[0]!.length <= 1024;
        expect(response).toMatchObject(echoable ? { status: 200, body: tokens[0] } : { status: 400 });
      }),
      RUNS,
    );
  });
});
