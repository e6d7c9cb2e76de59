/**
 * The stream pump against an in-memory DynamoDB stream (shards that close and split, trimmed
 * records, stale positions), so each of Lambda's delivery rules can be checked deterministically.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idleWait, StreamPump, type StreamConsumer } from '../../local/events/stream-pump.js';
import { waitFor } from './fixtures/processes.js';

type FakeShard = { id: string; parent?: string; records: StreamRecord[]; trimmed: number; closed: boolean };

/** A DynamoDB stream in memory, answering the three calls the pump makes. */
class FakeStream {
  readonly shards: FakeShard[] = [];
  private sequence = 100;

  addShard(id: string, parent?: string): FakeShard {
    const shard = { id, parent, records: [], trimmed: 0, closed: false };
    this.shards.push(shard);
    return shard;
  }

  /** Appends records named `ids` to a shard; returns their sequence numbers. */
  put(shardId: string, ...ids: string[]): string[] {
    const shard = this.shards.find((candidate) => candidate.id === shardId)!;
    return ids.map((id) => {
      const SequenceNumber = String(this.sequence++).padStart(21, '0');
      shard.records.push({ eventID: id, eventName: 'INSERT', eventSource: 'aws:dynamodb', dynamodb: { SequenceNumber, NewImage: { id: { S: id } } } });
      return SequenceNumber;
    });
  }

  /** How many times each command was sent. */
  readonly calls = { DescribeStream: 0, GetRecords: 0 };

  readonly client = {
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamCommand) this.calls.DescribeStream++;
      if (command instanceof GetRecordsCommand) this.calls.GetRecords++;
      if (command instanceof DescribeStreamCommand) {
        return { StreamDescription: { Shards: this.shards.map((shard) => ({ ShardId: shard.id, ParentShardId: shard.parent })) } };
      }
      if (command instanceof GetShardIteratorCommand) {
        const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
        const shard = this.shards.find((candidate) => candidate.id === ShardId)!;
        let index: number;
        if (ShardIteratorType === 'TRIM_HORIZON') index = shard.trimmed;
        else if (ShardIteratorType === 'LATEST') index = shard.records.length;
        else {
          const at = shard.records.findIndex((record) => record.dynamodb!.SequenceNumber === SequenceNumber);
          if (at < shard.trimmed) throw new TrimmedDataAccessException({ message: `${SequenceNumber} is beyond the trim horizon`, $metadata: {} });
          index = at + 1;
        }
        return { ShardIterator: `${ShardId}@${index}` };
      }
      if (command instanceof GetRecordsCommand) {
        const [shardId, at] = command.input.ShardIterator!.split('@') as [string, string];
        const shard = this.shards.find((candidate) => candidate.id === shardId)!;
        const index = Math.max(Number(at), shard.trimmed);
        const records = shard.records.slice(index, index + (command.input.Limit ?? 1000));
        const next = index + records.length;
        return { Records: records, NextShardIterator: shard.closed && next >= shard.records.length ? undefined : `${shardId}@${next}` };
      }
      throw new Error(`unexpected command ${(command as object).constructor.name}`);
    },
  };
}

let dir: string;
let statePath: string;
let stream: FakeStream;
const pumps: StreamPump[] = [];
const logs: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-pump-'));
  statePath = path.join(dir, 'stream-positions.json');
  stream = new FakeStream();
  logs.length = 0;
});
afterEach(async () => {
  await Promise.all(pumps.splice(0).map((pump) => pump.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function startPump(consumers: StreamConsumer[], options: { maxRetries?: number; pollMs?: number; maxIdleMs?: number } = {}): Promise<StreamPump> {
  const pump = new StreamPump({
    client: stream.client as unknown as DynamoDBStreamsClient,
    streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2024',
    consumers,
    statePath,
    region: 'us-east-1',
    // Polling at a steady 20 ms unless a test looks at the idle slow-down.
    pollMs: 20,
    maxIdleMs: 20,
    log: (line) => logs.push(line),
    ...options,
  });
  pumps.push(pump);
  await pump.start();
  return pump;
}

/** A consumer that records the ids it was given. */
function recorder(name: string, batchSize = 10) {
  const received: string[] = [];
  const consumer: StreamConsumer = {
    name,
    filters: [],
    batchSize,
    invoke: async (event) => {
      received.push(...(event.Records as { eventID: string }[]).map((record) => record.eventID));
      return null;
    },
  };
  return { consumer, received };
}

const savedPositions = async () => JSON.parse(await readFile(statePath, 'utf8')) as Record<string, Record<string, string>>;

describe('the stream pump', () => {
  it('keeps undelivered records when stopped while waiting to retry a failed batch', async () => {
    stream.addShard('s1');
    stream.put('s1', 'a', 'b', 'c');
    await writeFile(statePath, JSON.stringify({ audit: {} })); // not the first start: read from the trim horizon
    let calls = 0;
    const pump = await startPump([{ name: 'audit', filters: [], batchSize: 10, invoke: async () => ((calls += 1), Promise.reject(new Error('down'))) }]);
    await waitFor(() => calls >= 1, 5_000, 'a first delivery');
    await pump.stop(); // during the backoff before the retry
    expect((await savedPositions()).audit?.s1).toBeUndefined();
    expect(logs.some((line) => line.includes('gave up'))).toBe(false);

    const { consumer, received } = recorder('audit');
    await startPump([consumer]);
    await waitFor(() => received.length === 3, 5_000, 'redelivery after the restart');
    expect(received).toEqual(['a', 'b', 'c']);
  });

  it('keeps the records of an invocation the stop interrupted, and the ones delivered before it', async () => {
    stream.addShard('s1');
    const [first] = stream.put('s1', 'a', 'b', 'c');
    await writeFile(statePath, JSON.stringify({ audit: {} }));
    let release: (() => void) | undefined;
    const delivered: string[] = [];
    const pump = await startPump([
      {
        name: 'audit',
        filters: [],
        batchSize: 1,
        invoke: async (event) => {
          const id = (event.Records[0] as { eventID: string }).eventID;
          if (id === 'a') return delivered.push(id), null;
          // The runtime rejects in-flight invocations when local mode stops.
          await new Promise<void>((resolve) => (release = resolve));
          throw new Error('the execution environment exited');
        },
      },
    ]);
    await waitFor(() => release, 5_000, 'the second invocation');
    const stopped = pump.stop();
    release!();
    await stopped;
    expect(delivered).toEqual(['a']);
    expect((await savedPositions()).audit?.s1).toBe(first);
  });

  it('polls at once when woken, whatever its polling interval (local mode wakes it when a function finishes)', async () => {
    stream.addShard('s1');
    await writeFile(statePath, JSON.stringify({ audit: {} }));
    const { consumer, received } = recorder('audit');
    // A poll an hour apart: only wake() can deliver within the test's time.
    const pump = await startPump([consumer], { pollMs: 3_600_000 });
    stream.put('s1', 'a');
    pump.wake();
    await waitFor(() => received.length === 1, 5_000, 'the record after wake()');
    stream.put('s1', 'b');
    pump.wake();
    await waitFor(() => received.length === 2, 5_000, 'the record after the second wake()');
    expect(received).toEqual(['a', 'b']);
  });

  it('polls less and less often while the stream stays empty, and at once again when woken', async () => {
    stream.addShard('s1');
    const { consumer, received } = recorder('audit');
    // Doubling from 10 ms: 10, 20, 40 … 1,280 ms. Polling at a steady 10 ms would be ~150 passes in
    // the 1.5 s below; the doubling makes it at most 9 (fewer on a busy machine, never more).
    const pump = await startPump([consumer], { pollMs: 10, maxIdleMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(stream.calls.GetRecords).toBeLessThanOrEqual(9);
    expect(stream.calls.GetRecords).toBeGreaterThanOrEqual(1);
    // Its wait is now a second or more, and doubling; a wake ends it (as the wake test above proves
    // with an hour-long wait).
    stream.put('s1', 'a');
    pump.wake();
    await waitFor(() => received.length === 1, 5_000, 'the record after wake()');
  });

  it('waits twice as long after each empty pass, from pollMs up to maxIdleMs', () => {
    expect([0, 1, 2, 3, 4, 50].map((passes) => idleWait(passes, 200, 1_000))).toEqual([200, 400, 800, 1_000, 1_000, 1_000]);
    expect(idleWait(3, 500, 100)).toBe(500);
  });

  it('lists the shards once for all its consumers, not once per consumer and pass', async () => {
    stream.addShard('s1');
    const consumers = Array.from({ length: 4 }, (_, i) => recorder(`consumer-${i}`));
    const startedAt = Date.now();
    await startPump(consumers.map(({ consumer }) => consumer));
    // Many passes of every loop (polling every 20 ms), and records delivered to each consumer meanwhile.
    await waitFor(() => stream.calls.GetRecords >= 60, 10_000, 'sixty passes over the shard');
    stream.put('s1', 'x');
    await waitFor(() => consumers.every(({ received }) => received.includes('x')), 5_000, 'the record at every consumer');
    // One DescribeStream serves every loop for a second: at most one per second that passed, and the first.
    expect(stream.calls.DescribeStream).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 1_000) + 1);
  });

  it('falls back to the trim horizon when a saved position is no longer in the stream', async () => {
    stream.addShard('s1');
    const [stale] = stream.put('s1', 'old');
    stream.put('s1', 'b', 'c');
    stream.shards[0]!.trimmed = 1; // "old" was trimmed (24 hours later, say)
    await writeFile(statePath, JSON.stringify({ audit: { s1: stale } }));
    const { consumer, received } = recorder('audit');
    await startPump([consumer]);
    await waitFor(() => received.length === 2, 5_000, 'records after the trim horizon');
    expect(received).toEqual(['b', 'c']);
  });

  it('starts only the shards of its very first start at LATEST; shards that appear later are read from their start', async () => {
    stream.addShard('s1');
    stream.put('s1', 'before-first-start');
    const { consumer, received } = recorder('audit');
    await startPump([consumer]);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a few polls: s1 is read from LATEST
    stream.put('s1', 'after');
    await waitFor(() => received.includes('after'), 5_000, 'the record after the start');
    // The shard closes and a child takes over, with records before the pump first lists it.
    stream.shards[0]!.closed = true;
    stream.addShard('s2', 's1');
    stream.put('s2', 'in-new-shard-1', 'in-new-shard-2');
    await waitFor(() => received.length === 3, 5_000, 'the new shard\'s records');
    expect(received).toEqual(['after', 'in-new-shard-1', 'in-new-shard-2']);
  });

  it('never leaves a torn positions file while many consumers save their positions', async () => {
    stream.addShard('s1');
    const consumers = Array.from({ length: 8 }, (_, i) => recorder(`consumer-${i}`, 1));
    await startPump(consumers.map(({ consumer }) => consumer));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const torn: string[] = [];
    let last = '';
    for (let i = 0; i < 150; i++) {
      [last] = stream.put('s1', `r${i}`).slice(-1) as [string];
      const text = await readFile(statePath, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        try {
          JSON.parse(text);
        } catch {
          torn.push(text);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => consumers.every(({ received }) => received.length === 150), 10_000, 'every consumer to catch up');
    await Promise.all(pumps.splice(0).map((pump) => pump.stop()));
    expect(torn).toEqual([]);
    const saved = await savedPositions();
    for (const { consumer } of consumers) expect(saved[consumer.name]?.s1).toBe(last);
  });
});
