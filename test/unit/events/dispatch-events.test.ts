/**
 * The event dispatcher's decisions, with a recording invoker in place of Lambda: which table
 * changes become which events, which functions get each (kind, collection, `where`), and what a
 * failed hand-over reports so the stream redelivers exactly from there.
 */
import { describe, expect, it } from 'vitest';
import { dispatchChanges, type FunctionInvoker } from '../../../functions/core/events/dispatch-events.js';
import { fitForDelivery, MAX_EVENT_BYTES, matchesTrigger, type EventSubscription, type TableEvent } from '../../../functions/core/events/lambase-events.js';
import { eventOf, eventsOf, streamFilters, MAX_STREAM_FILTERS, type TableChange } from '../../../functions/core/events/table-events.js';

const at = new Date('2026-11-30T03:00:00Z');
let sequence = 0;

function documentItem(collection: string, id: string, data: Record<string, unknown>, version = 1) {
  return { pk: `DOC#${collection}#${id}`, sk: 'DOC', entity: 'document', collection, id, owner: 'u1', createdAt: at.toISOString(), updatedAt: at.toISOString(), version, data };
}

function change(eventName: TableChange['eventName'], images: { before?: Record<string, unknown>; after?: Record<string, unknown> }, expired = false): TableChange {
  sequence++;
  return { eventId: `event-${sequence}`, sequenceNumber: String(sequence).padStart(6, '0'), eventName, ...images, expired, at };
}

const subscriptions: EventSubscription[] = [
  { name: 'welcome', functionName: 'lambase-dev-welcome', on: { event: 'userSignedUp' } },
  { name: 'notify', functionName: 'lambase-dev-notify', on: { event: 'documentCreated', collection: 'posts', where: { published: true } } },
  { name: 'audit', functionName: 'lambase-dev-audit', on: { event: 'documentCreated', collection: 'posts' } },
  { name: 'uploads', functionName: 'lambase-dev-uploads', on: { event: 'fileUploaded' } },
];

function recordingInvoker(failFor: (functionName: string, event: TableEvent) => boolean = () => false) {
  const calls: { functionName: string; event: TableEvent }[] = [];
  const invoke: FunctionInvoker = async (functionName, event) => {
    if (failFor(functionName, event)) throw new Error('TooManyRequestsException');
    calls.push({ functionName, event });
  };
  return { calls, invoke };
}

describe('table changes become Lambase events', () => {
  it('documents: created, updated (before and after), deleted (with expiry told apart)', () => {
    const created = eventOf(change('INSERT', { after: documentItem('posts', 'p1', { title: 'Hi', published: true }) }));
    expect(created).toEqual({
      type: 'documentCreated',
      eventId: expect.any(String),
      occurredAt: at.toISOString(),
      collection: 'posts',
      document: { id: 'p1', owner: 'u1', createdAt: at.toISOString(), updatedAt: at.toISOString(), version: 1, title: 'Hi', published: true },
    });
    const updated = eventOf(change('MODIFY', { before: documentItem('posts', 'p1', { title: 'Hi' }), after: documentItem('posts', 'p1', { title: 'Ho' }, 2) }));
    expect(updated).toMatchObject({ type: 'documentUpdated', before: { title: 'Hi', version: 1 }, after: { title: 'Ho', version: 2 } });
    const expired = eventOf(change('REMOVE', { before: documentItem('sessions', 's1', {}) }, true));
    expect(expired).toMatchObject({ type: 'documentDeleted', collection: 'sessions', document: { id: 's1' }, expired: true });
  });

  it('a file only when it turns ready, with its owner; a profile only when it is created', () => {
    // As the store writes it: the owner as `owner`.
    const file = { pk: 'FILE#f1', sk: 'FILE', entity: 'file', fileId: 'f1', owner: 'u1', ownerKey: '_files#u1', name: 'a.txt', contentType: 'text/plain', size: 3, visibility: 'private', createdAt: at.toISOString() };
    expect(eventOf(change('MODIFY', { before: { ...file, status: 'pending' }, after: { ...file, status: 'ready' } }))).toMatchObject({
      type: 'fileUploaded',
      file: { fileId: 'f1', owner: 'u1', status: 'ready', name: 'a.txt', size: 3 },
    });
    expect(eventOf(change('MODIFY', { before: { ...file, status: 'pending' }, after: { ...file, status: 'rejected' } }))).toBeUndefined();
    expect(eventOf(change('INSERT', { after: { ...file, status: 'pending' } }))).toBeUndefined();
    const profile = { pk: 'USER#u1', sk: 'PROFILE', entity: 'profile', userId: 'u1', email: 'a@example.com', createdAt: at.toISOString() };
    expect(eventOf(change('INSERT', { after: profile }))).toMatchObject({ type: 'userSignedUp', user: { userId: 'u1', email: 'a@example.com' } });
    expect(eventOf(change('MODIFY', { before: profile, after: { ...profile, name: 'Ada' } }))).toBeUndefined();
    expect(eventOf(change('INSERT', { after: { pk: 'DEVICE#d', sk: 'DEVICE', entity: 'device' } }))).toBeUndefined();
  });

  it('match a function by kind, collection and every where equality', () => {
    const post = (published: boolean) => eventOf(change('INSERT', { after: documentItem('posts', 'p', { title: 't', published }) }))!;
    const on = subscriptions[1]!.on;
    expect(matchesTrigger(on, post(true))).toBe(true);
    expect(matchesTrigger(on, post(false))).toBe(false);
    expect(matchesTrigger(on, eventOf(change('INSERT', { after: documentItem('notes', 'n', { published: true }) }))!)).toBe(false);
  });

  it('an event too large for an asynchronous invocation keeps only the documents\' ids', () => {
    const big = 'x'.repeat(200 * 1024);
    const updated = eventOf(change('MODIFY', { before: documentItem('notes', 'n1', { body: big }), after: documentItem('notes', 'n1', { body: big }, 2) }))!;
    const sent = fitForDelivery(updated);
    expect(sent).toMatchObject({ type: 'documentUpdated', truncated: true, before: { id: 'n1' }, after: { id: 'n1' } });
    expect(Buffer.byteLength(JSON.stringify(sent))).toBeLessThan(MAX_EVENT_BYTES);
    const small = eventOf(change('INSERT', { after: documentItem('notes', 'n2', { body: 'small' }) }))!;
    expect(fitForDelivery(small)).toBe(small);
  });
});

describe('dispatching a batch', () => {
  it('hands each event to every subscribed function under its deployed name, and nothing to the others', async () => {
    const { calls, invoke } = recordingInvoker();
    const changes = [
      change('INSERT', { after: documentItem('posts', 'p1', { title: 'a', published: true }) }),
      change('INSERT', { after: documentItem('posts', 'p2', { title: 'b', published: false }) }),
      change('INSERT', { after: { entity: 'profile', userId: 'u9', email: 'u9@example.com', createdAt: at.toISOString() } }),
      change('MODIFY', { before: documentItem('posts', 'p1', {}), after: documentItem('posts', 'p1', {}, 2) }),
    ];
    const result = await dispatchChanges({ invoke, subscriptions }, changes);
    expect(result).toEqual({ invoked: 4 });
    const summary = calls.map((call) => `${call.functionName} ${call.event.type} ${call.event.eventId}`).sort();
    expect(summary).toEqual(
      [
        `lambase-dev-notify documentCreated ${changes[0]!.eventId}`,
        `lambase-dev-audit documentCreated ${changes[0]!.eventId}`,
        `lambase-dev-audit documentCreated ${changes[1]!.eventId}`,
        `lambase-dev-welcome userSignedUp ${changes[2]!.eventId}`,
      ].sort(),
    );
  });

  it('reports the first change whose hand-over failed, so the stream redelivers from it; the rest are handed over meanwhile', async () => {
    const changes = ['p1', 'p2', 'p3'].map((id) => change('INSERT', { after: documentItem('posts', id, { title: id, published: true }) }));
    const failures: string[] = [];
    const { calls, invoke } = recordingInvoker((functionName, event) => functionName === 'lambase-dev-audit' && 'document' in event && event.document.id === 'p2');
    const result = await dispatchChanges({ invoke, subscriptions, onInvokeFailure: (failure) => failures.push(`${failure.function} ${failure.eventId}`) }, changes);
    expect(result.failedSequenceNumber).toBe(changes[1]!.sequenceNumber);
    expect(failures).toEqual([`audit ${changes[1]!.eventId}`]);
    // notify still got p2: on redelivery its receipt (same eventId) makes it skip p2.
    expect(calls.filter((call) => call.functionName === 'lambase-dev-notify')).toHaveLength(3);
    expect(result.invoked).toBe(5);
  });
});

describe('geofence transitions become events', () => {
  const zone = { id: 'z1', owner: 'admin', name: 'Harbour', center: { lat: 1, lng: 2 }, radiusMeters: 100, createdAt: at.toISOString(), updatedAt: at.toISOString(), version: 1 };
  const item = {
    pk: 'EVENT#g1',
    sk: 'GEOFENCE',
    entity: 'geofenceEvent',
    eventId: 'g1',
    userId: 'walker',
    point: { lat: 1, lng: 2 },
    createdAt: at.toISOString(),
    ttl: 1,
    transitions: [
      { type: 'geofenceEntered', collection: 'zones', fenceId: 'z1', fence: zone },
      { type: 'geofenceExited', collection: 'areas', fenceId: 'a1', fence: null },
    ],
  };
  const fenceSubscriptions: EventSubscription[] = [
    { name: 'zone-alert', functionName: 'lambase-dev-zone-alert', on: { event: 'geofenceEntered', collection: 'zones' } },
    { name: 'any-exit', functionName: 'lambase-dev-any-exit', on: { event: 'geofenceExited' } },
    { name: 'zone-exit', functionName: 'lambase-dev-zone-exit', on: { event: 'geofenceExited', collection: 'zones' } },
  ];

  it('one event per transition, each to the functions on its kind and collection, with ids stable across redeliveries', async () => {
    const inserted = change('INSERT', { after: item });
    const { calls, invoke } = recordingInvoker();
    expect(await dispatchChanges({ invoke, subscriptions: fenceSubscriptions }, [inserted])).toEqual({ invoked: 2 });
    expect(calls).toEqual([
      {
        functionName: 'lambase-dev-zone-alert',
        event: { eventId: 'g1:geofenceEntered:zones:z1', occurredAt: at.toISOString(), type: 'geofenceEntered', collection: 'zones', userId: 'walker', fenceId: 'z1', fence: zone, point: { lat: 1, lng: 2 } },
      },
      { functionName: 'lambase-dev-any-exit', event: expect.objectContaining({ eventId: 'g1:geofenceExited:areas:a1', type: 'geofenceExited', fence: null }) },
    ]);
    // The same item delivered again (another stream record id) raises the same event ids.
    expect(eventsOf(change('INSERT', { after: item })).map((event) => event.eventId)).toEqual(['g1:geofenceEntered:zones:z1', 'g1:geofenceExited:areas:a1']);
    // Its TTL removal raises nothing.
    expect(eventsOf(change('REMOVE', { before: item }, true))).toEqual([]);
  });
});

describe('the stream filters', () => {
  it('let through exactly the changes some function is on', () => {
    expect(streamFilters([{ event: 'documentCreated', collection: 'posts', where: { published: true } }, { event: 'documentCreated', collection: 'notes' }])).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['document'] }, collection: { S: ['posts', 'notes'] } } } },
    ]);
    expect(streamFilters([])).toEqual([]);
  });

  it('stay within Lambda\'s five filters per mapping, whatever the functions ask for', () => {
    const all = streamFilters([
      { event: 'documentCreated', collection: 'a' },
      { event: 'documentUpdated', collection: 'b' },
      { event: 'documentDeleted', collection: 'c' },
      { event: 'fileUploaded' },
      { event: 'userSignedUp' },
      { event: 'documentCreated', collection: 'd' },
      { event: 'geofenceEntered', collection: 'zones' },
      { event: 'geofenceExited' },
    ]);
    expect(all.length).toBeLessThanOrEqual(MAX_STREAM_FILTERS);
    expect(all).toContainEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['geofenceEvent'] } } } });
  });
});
