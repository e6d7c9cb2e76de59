/**
 * The realtime rows of `npm run bench` (bench/local-bench.ts calls `realtimeBench`), in one local
 * mode:
 *   a. change → delivery latency with 1 and 100 subscribers: real WebSocket clients on /realtime,
 *      a note created over HTTP, the time from the POST's answer (the commit is known) until the
 *      first and the last subscriber have the `change` frame;
 *   b. how one change's fan-out cost grows with subscribers: the production fan-out (core
 *      `fanOut` over the DynamoDB connection store, against local mode's DynamoDB) on a collection
 *      with 1 … 5,000 stored subscriptions, counting Query pages, frames and the time to judge
 *      them. Frames go to a counter here, not to sockets: (a) measures real posts.
 * Figures, not pass/fail: the 100,000-subscriber plan in ARCHITECTURE.md ("Realtime") reads them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pMap from 'p-map';
import WebSocket from 'ws';
import { createDocumentClient } from '../functions/adapters/aws-clients.js';
import { DynamoDbConnectionStore } from '../functions/adapters/dynamodb-connection-store.js';
import { fanOut } from '../functions/core/realtime/fan-out.js';
import { MAX_CONNECTION_SECONDS, CONNECTION_TTL_MARGIN_SECONDS } from '../functions/core/realtime/realtime-protocol.js';
import { systemClock } from '../functions/core/clock.js';
import { documentKey, type DocumentItem } from '../functions/core/documents/document-item.js';
import backend from '../lambase.config.js';
import { startLocal, type LocalBackend } from '../local/start-local.js';
import { api, createUser, type TestUser } from '../test/fixtures/local-backend.js';

/** A frame not on its socket this long after the commit counts as lost. */
const LOST_AFTER_MS = 10_000;
const progress = (step: string) => console.error(`  realtime bench: ${step}…`);

export type BenchTable = { title: string; header: string[]; body: string[][] };
type Options = { quick: boolean; percentile: (values: number[], p: number) => number };

export async function realtimeBench(options: Options): Promise<BenchTable[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-realtime-'));
  const local = await startLocal({ port: 0, dataDir, throttle: { rateLimit: 100_000, burstLimit: 100_000 } });
  try {
    return [await deliveryLatency(local, options), await fanOutCost(local, options)];
  } finally {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function deliveryLatency(local: LocalBackend, { quick, percentile }: Options): Promise<BenchTable> {
  const user = await createUser(local);
  const rounds = quick ? 5 : 20;
  const body: string[][] = [];
  for (const subscribers of [1, 100]) {
    const arrivals = new Map<string, number[]>();
    const waiting = new Map<string, () => void>();
    const sockets = await Promise.all(Array.from({ length: subscribers }, () => subscribedSocket(local, user, (id) => {
      const times = arrivals.get(id) ?? [];
      times.push(performance.now());
      arrivals.set(id, times);
      if (times.length === subscribers) waiting.get(id)?.();
    })));
    const first: number[] = [];
    const last: number[] = [];
    let lost = 0;
    progress(`change → delivery with ${subscribers} subscriber(s)`);
    // One warm-up change: the fan-out's and the create function's first calls start their workers.
    for (let round = -1; round < rounds; round++) {
      const created = await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: `live ${round}` } });
      const answeredAt = performance.now();
      const id = created.body.id;
      // Delivery is at most once: a frame lost under load must not hang the bench, it is counted.
      if ((arrivals.get(id)?.length ?? 0) < subscribers) {
        await new Promise<void>((resolve) => {
          waiting.set(id, resolve);
          setTimeout(resolve, LOST_AFTER_MS).unref();
        });
      }
      const times = arrivals.get(id) ?? [];
      lost += subscribers - times.length;
      if (times.length === 0) continue;
      if (round < 0) continue;
      first.push(Math.min(...times) - answeredAt);
      last.push(Math.max(...times) - answeredAt);
    }
    for (const socket of sockets) socket.close();
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    body.push([String(subscribers), ms(percentile(first, 50)), ms(percentile(last, 50)), ms(percentile(last, 95)), ms(Math.max(...last)), String(lost)]);
  }
  return {
    title: `5. realtime: change → delivery, ${rounds} notes created over HTTP, from the POST's answer until the frame is on the subscribers' sockets (one user's sockets, all subscribed to notes)`,
    header: ['subscribers', 'first p50', 'last p50', 'last p95', 'last max', 'frames lost'],
    body,
  };
}

/** A WebSocket signed in as `user` and subscribed to notes; `onChange` gets each change's document id. */
async function subscribedSocket(local: LocalBackend, user: TestUser, onChange: (id: string) => void): Promise<WebSocket> {
  const ws = new WebSocket(local.realtimeUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const answers: ((frame: { type: string }) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; document?: { id: string } };
    if (frame.type === 'change') onChange(frame.document!.id);
    else answers.shift()?.(frame);
  });
  const request = (frame: object) =>
    new Promise<{ type: string }>((resolve) => {
      answers.push(resolve);
      ws.send(JSON.stringify(frame));
    });
  for (const [frame, expected] of [[{ type: 'auth', token: user.accessToken }, 'authed'], [{ type: 'subscribe', id: 'notes', collection: 'notes' }, 'subscribed']] as const) {
    const answer = await request(frame);
    if (answer.type !== expected) throw new Error(`realtime bench: ${frame.type} answered ${JSON.stringify(answer)}`);
  }
  return ws;
}

async function fanOutCost(local: LocalBackend, { quick }: Options): Promise<BenchTable> {
  const client = createDocumentClient(new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials }));
  const store = new DynamoDbConnectionStore(client, local.tableName);
  let posted = 0;
  const deps = { backend, connections: store, clock: systemClock, messenger: { post: async () => (posted++, 'sent' as const) } };
  const now = new Date();
  const ttl = Math.floor(now.getTime() / 1000) + MAX_CONNECTION_SECONDS + CONNECTION_TTL_MARGIN_SECONDS;
  // A collection of its own (`posts` read rule: public) that nothing else changes during the bench.
  const item: DocumentItem = {
    ...documentKey('posts', 'bench-post'),
    entity: 'document',
    collection: 'posts',
    data: { title: 'bench', published: true },
    id: 'bench-post',
    owner: 'bench-owner',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  const body: string[][] = [];
  let stored = 0;
  for (const subscribers of quick ? [1, 100, 1000] : [1, 100, 1000, 5000]) {
    progress(`fan-out cost with ${subscribers.toLocaleString('en-US')} subscriptions`);
    const connections = Array.from({ length: subscribers - stored }, (_, i) => `bench-${stored + i}`);
    await pMap(connections, async (connectionId) => {
      await store.open({ connectionId, connectedAt: now.getTime(), ttl });
      await store.putSubscription({ connectionId, id: 'posts', target: { collection: 'posts' }, ttl });
    }, { concurrency: 32 });
    stored = subscribers;
    posted = 0;
    const started = performance.now();
    const stats = await fanOut(deps, { kind: 'document', event: 'created', collection: 'posts', after: item });
    const elapsed = performance.now() - started;
    body.push([subscribers.toLocaleString('en-US'), String(stats.pages), String(posted), `${elapsed.toFixed(0)} ms`, `${((elapsed * 1000) / subscribers).toFixed(0)} µs`]);
  }
  client.destroy();
  return {
    title:
      '6. realtime: one change\'s fan-out cost by subscribers (the production fan-out on local DynamoDB; frames counted, not sent; Query pages are 1 MB: 2 groups each change, the collection and the document)',
    header: ['subscribers', 'Query pages', 'frames', 'fan-out time', 'per subscriber'],
    body,
  };
}
