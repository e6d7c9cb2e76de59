/**
 * A user's event function under faults, end to end in the suite's local backend: one transaction
 * of notes (POST /data/_batch, so its changes reach the stream, the event dispatcher and the
 * function together), through the real stream pump, dispatcher, asynchronous invocations with
 * Lambda's retries and the function's run-once receipts (functions/sdk/define-function.ts). The
 * function is the probe of harness/security-backend.ts, which notes each event it handles.
 *
 * - A poison event (a note the function always throws on) in the middle of the batch: only it is
 *   retried — three attempts, as Lambda's two retries of an asynchronous event — and then lands in
 *   the failure destination, alone; every other event of the batch runs exactly once.
 * - DynamoDB failing under the function's receipts: a run that could not write its receipt is run
 *   again by Lambda; every event runs exactly once, none is lost, none ends in the failures.
 *
 * main's test/e2e/local-mode.test.ts covers a throwing function beside a neighbour from another
 * request; this holds a whole batch to it, and adds AWS failing underneath.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, inject } from 'vitest';
import { waitFor } from '../../fixtures/local-backend.js';
import { setFaults, takeCalls } from '../harness/fault-proxy.js';
import { send } from '../harness/http.js';
import { PROBE_BODY } from '../harness/security-backend.js';
import { testIn } from '../harness/security-test.js';
import type { World } from '../harness/world.js';

const world: World = inject('securityWorld');
const it = testIn('stream-triggers');
const PROBE = 'probe-events';
/** A batch crosses the stream, the dispatcher and a function's cold start (and up to two retries, a second apart at least). */
const EVENTS_WAIT_MS = 90_000;

afterEach(() => setFaults(world.faultControl, []));

type Line = { function: string; event?: { document?: { id: string } }; attempt?: string };
/** An asynchronous invocation given up (a stream batch given up has no `requestPayload`: earlier files' faults may have left one). */
type Failure = { functionName: string; requestContext?: { condition: string; approximateInvokeCount: number }; requestPayload?: { eventId: string; document?: { id: string } } };

const lines = (): Line[] =>
  existsSync(world.probeEventsFile)
    ? readFileSync(world.probeEventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line)
    : [];
const handledCount = (id: string) => lines().filter((line) => line.function === PROBE && line.event?.document?.id === id).length;
const failures = async () => ((await send(world.url, { method: 'GET', path: '/_local/failures' })).json as { failures: Failure[] }).failures;

/** Creates the notes in one transaction; their ids, in order. */
async function createNotes(titles: string[], tally: { status(status: number): void }): Promise<string[]> {
  const response = await send(world.url, {
    method: 'POST',
    path: '/data/_batch',
    token: world.users.owner.accessToken,
    body: { operations: titles.map((title) => ({ op: 'create', collection: 'notes', data: { title, body: PROBE_BODY } })) },
  });
  tally.status(response.status);
  expect(response.status, response.text).toBe(200);
  return (response.json as { results: { id: string }[] }).results.map((result) => result.id);
}

describe('a user function on a batch of events', () => {
  it('throwing on one event: only that one is retried and given up, the others run exactly once', async ({ tally }) => {
    const titles = Array.from({ length: 7 }, (_, index) => (index === 3 ? `always-throw ${randomUUID()}` : `fine ${index}`));
    const ids = await createNotes(titles, tally);
    const poison = ids[3]!;
    const good = ids.filter((id) => id !== poison);

    const failure = await waitFor(async () => (await failures()).find((candidate) => candidate.functionName === PROBE && candidate.requestPayload?.document?.id === poison), EVENTS_WAIT_MS);
    await waitFor(() => good.every((id) => handledCount(id) > 0), EVENTS_WAIT_MS);

    expect(failure.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    const attempts = lines().filter((line) => line.function === PROBE && line.attempt === failure.requestPayload?.eventId);
    tally.figure('events', ids.length);
    tally.figure('given up', 1);
    tally.figure('lost', good.filter((id) => handledCount(id) === 0).length);
    expect(attempts, 'the poison event: the first run and Lambda\'s two retries').toHaveLength(3);
    for (const id of good) expect(handledCount(id), `note ${id}`).toBe(1);
    // Nothing of this batch but the poison in the failure destination.
    expect((await failures()).filter((candidate) => ids.includes(candidate.requestPayload?.document?.id ?? '')).map((candidate) => candidate.requestPayload?.document?.id)).toEqual([poison]);
  });

  it('with DynamoDB failing under its receipts: every event runs exactly once, none lost, none given up', async ({ tally }) => {
    await takeCalls(world.faultControl);
    // The first three receipt writes fail (the SDK's three tries of one call, or spread over several).
    await setFaults(world.faultControl, [{ service: 'dynamodb', fault: 'server-error', operations: ['PutItem'], times: 3 }]);
    const ids = await createNotes(Array.from({ length: 6 }, (_, index) => `steady ${index}`), tally);

    await waitFor(() => ids.every((id) => handledCount(id) > 0), EVENTS_WAIT_MS);
    const faulted = (await takeCalls(world.faultControl)).filter((count) => count.service === 'dynamodb').reduce((total, count) => total + count.faulted, 0);
    tally.figure('events', ids.length);
    tally.figure('lost', ids.filter((id) => handledCount(id) === 0).length);
    expect(faulted, 'receipt writes refused').toBe(3);
    for (const id of ids) expect(handledCount(id), `note ${id}`).toBe(1);
    expect((await failures()).filter((candidate) => ids.includes(candidate.requestPayload?.document?.id ?? ''))).toEqual([]);
  });
});
