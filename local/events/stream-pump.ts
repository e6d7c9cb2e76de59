/**
 * Local mode's stand-in for Lambda's DynamoDB event source mappings: reads the table's stream
 * from DynamoDB Local and delivers records to each trigger function with Lambda's semantics —
 * its own position per function (kept across restarts), event filters (non-matching records are
 * dropped), batches of `batchSize`, `{ batchItemFailures }` partial failures retried from the
 * first failed record, whole-batch errors retried with the batch bisected, and a record that still
 * fails after `maxRetries` given up alone (handed to `onGiveUp`, local mode's on-failure
 * destination) while the records after it go on. It polls at once when woken (local mode wakes it
 * whenever a function that can write the table finishes); otherwise it polls `pollMs` after a pass
 * that found records, and waits twice as long after each pass that found none, up to `maxIdleMs`
 * (`idleWait`): an idle local mode sends DynamoDB Local a few reads a second, not dozens, and
 * none of them lands in the middle of the requests a user is timing.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { matchesAny, type FilterPattern } from './event-filter.js';

export type StreamConsumer = {
  name: string;
  filters: readonly FilterPattern[];
  batchSize: number;
  invoke: (event: { Records: unknown[] }) => Promise<unknown>;
};

export type StreamPumpOptions = {
  client: DynamoDBStreamsClient;
  streamArn: string;
  consumers: readonly StreamConsumer[];
  /** JSON file keeping each consumer's position per shard. */
  statePath: string;
  /** The region records report (DynamoDB Local says "ddblocal"). */
  region: string;
  /** The wait after a pass that found records (200 ms). */
  pollMs?: number;
  /** The longest wait between passes that find nothing (1 s; Lambda polls a shard about 4 times a second). */
  maxIdleMs?: number;
  maxRetries?: number;
  log?: (line: string) => void;
  /** Lambda's on-failure destination: the records a consumer gave up on (they stay in the stream). */
  onGiveUp?: (failure: { functionName: string; shardId: string; streamArn: string; sequenceNumbers: string[]; attempts: number }) => void;
};

type Positions = Record<string, Record<string, string>>;
/** How long one DescribeStream answer serves every consumer's loop. */
const SHARD_LIST_MS = 1_000;
type ShardCursor = { iterator: string | undefined; done: boolean };
/** The first record of a batch that was neither delivered nor given up (the pump stopped first). */
type Undelivered = LambdaRecord | undefined;

export class StreamPump {
  private running = false;
  private loops: Promise<void>[] = [];
  private positions: Positions = {};
  private readonly stopping = new AbortController();
  /** Saves run one after the other: each consumer's loop asks for one, the file is shared. */
  private saving: Promise<void> = Promise.resolve();
  /** Counts `wake()` calls: a loop that saw another count before it went idle polls again at once. */
  private wakes = 0;
  private waking = new AbortController();
  /**
   * The stream's shards, asked for once for every consumer's loop (each pass of each loop needs
   * them, and they change only when DynamoDB Local closes a shard): kept for SHARD_LIST_MS, and
   * asked for again as soon as a loop reads a shard to its end.
   */
  private shardList: { askedAt: number; shards: Promise<Shard[]> } | undefined;

  constructor(private readonly options: StreamPumpOptions) {}

  async start(): Promise<void> {
    this.positions = await readFile(this.options.statePath, 'utf8').then((text) => JSON.parse(text) as Positions, () => ({}));
    this.running = true;
    this.loops = this.options.consumers.map((consumer) => this.run(consumer));
  }

  /**
   * Stops reading and waits for the consumers' loops. An invocation in flight is not cut short
   * here: local mode stops the Lambda runtime first, which rejects it, and its records stay
   * undelivered (read again at the next start).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.loops);
    await this.persist();
  }

  /**
   * Something may have written to the table (a function finished): poll now instead of at the end
   * of the current wait, so changes reach their consumers in milliseconds, not a polling interval.
   */
  wake(): void {
    this.wakes++;
    this.waking.abort();
    this.waking = new AbortController();
  }

  private async run(consumer: StreamConsumer): Promise<void> {
    const cursors = new Map<string, ShardCursor>();
    // Lambda's LATEST applies to the shards there when the mapping is created (our very first
    // start); a shard that appears afterwards holds only new records, read from its start.
    let latestShards: Set<string> | undefined = this.positions[consumer.name] ? new Set() : undefined;
    this.positions[consumer.name] ??= {};
    let emptyPasses = 0;
    while (this.running) {
      const wakesSeen = this.wakes;
      try {
        const shards = await this.listShards();
        latestShards ??= new Set(shards.map((shard) => shard.ShardId!));
        const got = await this.pollOnce(consumer, shards, cursors, latestShards);
        if (got) {
          emptyPasses = 0;
          continue;
        }
      } catch (error) {
        if (this.running) this.options.log?.(`stream pump (${consumer.name}): ${(error as Error).message}`);
      }
      if (wakesSeen !== this.wakes) emptyPasses = 0;
      else await this.idle(idleWait(emptyPasses++, this.options.pollMs ?? 200, this.options.maxIdleMs ?? 1_000));
    }
  }

  private listShards(): Promise<Shard[]> {
    if (this.shardList && Date.now() - this.shardList.askedAt < SHARD_LIST_MS) return this.shardList.shards;
    const shards = this.options.client
      .send(new DescribeStreamCommand({ StreamArn: this.options.streamArn }))
      .then((description) => description.StreamDescription?.Shards ?? []);
    const asked = { askedAt: Date.now(), shards };
    this.shardList = asked;
    // A failed answer is not kept: the next pass asks again.
    shards.catch(() => {
      if (this.shardList === asked) this.shardList = undefined;
    });
    return shards;
  }

  /** One pass over every shard; true when records were read (poll again at once). */
  private async pollOnce(consumer: StreamConsumer, shards: Shard[], cursors: Map<string, ShardCursor>, latestShards: Set<string>): Promise<boolean> {
    const { client } = this.options;
    let readAny = false;
    for (const shard of shards) {
      if (!this.running) break;
      const shardId = shard.ShardId!;
      let cursor = cursors.get(shardId);
      if (cursor?.done) continue;
      // Children wait until their parent shard is read to its end, as Lambda does.
      if (shard.ParentShardId && cursors.has(shard.ParentShardId) && !cursors.get(shard.ParentShardId)!.done) continue;
      if (!cursor || !cursor.iterator) {
        const iterator = await this.shardIterator(consumer, shardId, latestShards.has(shardId));
        if (!iterator) continue;
        cursor = { iterator, done: false };
        cursors.set(shardId, cursor);
      }
      let records: StreamRecord[] = [];
      try {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: 1000 }));
        records = page.Records ?? [];
        cursor.iterator = page.NextShardIterator;
        if (!page.NextShardIterator) {
          cursor.done = true;
          // A closed shard has a child to read next: the next pass must see it.
          this.shardList = undefined;
        }
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          cursor.iterator = undefined;
          continue;
        }
        throw error;
      }
      if (records.length === 0) continue;
      readAny = true;
      const complete = await this.deliver(consumer, shardId, records);
      await this.persist();
      if (!complete) break; // stopping: what was not delivered is read again at the next start
    }
    return readAny;
  }

  /**
   * Where to read a shard from: after the saved position, else LATEST (shards of the very first
   * start) or TRIM_HORIZON. A saved position the stream no longer has (trimmed, or from another
   * table) falls back to TRIM_HORIZON, as Lambda does for a position beyond the retention period.
   */
  private async shardIterator(consumer: StreamConsumer, shardId: string, latest: boolean): Promise<string | undefined> {
    const { client, streamArn } = this.options;
    const after = this.positions[consumer.name]![shardId];
    if (after) {
      try {
        const { ShardIterator } = await client.send(
          new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
        );
        return ShardIterator;
      } catch (error) {
        this.options.log?.(`stream pump (${consumer.name}): position ${after} in ${shardId} is gone (${(error as Error).message}); reading from the trim horizon`);
        delete this.positions[consumer.name]![shardId];
        latest = false;
      }
    }
    try {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: latest ? 'LATEST' : 'TRIM_HORIZON' }),
      );
      return ShardIterator;
    } catch (error) {
      // One unreadable shard must not hold up the others: try it again on the next pass.
      if (this.running) this.options.log?.(`stream pump (${consumer.name}): cannot read ${shardId}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Delivers one page of a shard in batches. The shard's position advances only past records
   * delivered or given up (and the filtered-out records around them); false when the pump stopped
   * before the page was done.
   */
  private async deliver(consumer: StreamConsumer, shardId: string, records: StreamRecord[]): Promise<boolean> {
    const positions = this.positions[consumer.name]!;
    const events = records.map((record) => this.toLambdaRecord(record)).filter((record) => matchesAny(record, consumer.filters));
    for (let start = 0; start < events.length; start += consumer.batchSize) {
      const batch = events.slice(start, start + consumer.batchSize);
      const undelivered = this.running ? await this.deliverBatch(consumer, shardId, batch, 0) : batch[0];
      if (undelivered) {
        const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === undelivered.dynamodb.SequenceNumber);
        if (index > 0) positions[shardId] = records[index - 1]!.dynamodb!.SequenceNumber!;
        return false;
      }
    }
    // Every matching record is handled: the position moves past the filtered-out ones too.
    positions[shardId] = records.at(-1)!.dynamodb!.SequenceNumber!;
    return true;
  }

  /** Resolves with the first record neither delivered nor given up (only when the pump stops), else undefined. */
  private async deliverBatch(consumer: StreamConsumer, shardId: string, batch: LambdaRecord[], attempt: number): Promise<Undelivered> {
    if (batch.length === 0) return undefined;
    if (!this.running) return batch[0];
    const maxRetries = this.options.maxRetries ?? 5;
    let failedFrom: number;
    try {
      const result = (await consumer.invoke({ Records: batch })) as { batchItemFailures?: { itemIdentifier: string }[] } | null;
      const failures = result?.batchItemFailures ?? [];
      if (failures.length === 0) return undefined;
      const failedIds = new Set(failures.map((failure) => failure.itemIdentifier));
      failedFrom = batch.findIndex((record) => failedIds.has(record.dynamodb.SequenceNumber));
      if (failedFrom < 0) failedFrom = 0; // an unknown identifier fails the whole batch, as in Lambda
    } catch (error) {
      // Stopping rejects the invocation in flight: that is no failure of the function's.
      if (!this.running) return batch[0];
      this.options.log?.(`${consumer.name} failed on a batch of ${batch.length}: ${(error as Error).message}`);
      if (attempt >= maxRetries) return this.giveUp(consumer, shardId, batch, attempt + 1);
      await this.sleep(backoff(attempt));
      if (!this.running) return batch[0];
      if (batch.length > 1) {
        // Bisect on error: retry each half on its own.
        const middle = Math.ceil(batch.length / 2);
        return (
          (await this.deliverBatch(consumer, shardId, batch.slice(0, middle), attempt + 1)) ??
          (await this.deliverBatch(consumer, shardId, batch.slice(middle), attempt + 1))
        );
      }
      return this.deliverBatch(consumer, shardId, batch, attempt + 1);
    }
    const rest = batch.slice(failedFrom);
    if (attempt >= maxRetries) {
      // The record that keeps failing is given up alone, as Lambda's bisecting leaves it; the
      // records after it were never processed (the function stopped there) and still go through.
      this.giveUp(consumer, shardId, rest.slice(0, 1), attempt + 1);
      return this.deliverBatch(consumer, shardId, rest.slice(1), 0);
    }
    await this.sleep(backoff(attempt));
    return this.deliverBatch(consumer, shardId, rest, attempt + 1);
  }

  private giveUp(consumer: StreamConsumer, shardId: string, batch: LambdaRecord[], attempts: number): undefined {
    const sequenceNumbers = batch.map((record) => record.dynamodb.SequenceNumber);
    this.options.log?.(`${consumer.name}: gave up on ${batch.length} record(s) ${sequenceNumbers[0]}…${sequenceNumbers.at(-1)} after retries (on-failure destination)`);
    this.options.onGiveUp?.({ functionName: consumer.name, shardId, streamArn: this.options.streamArn, sequenceNumbers, attempts });
    return undefined;
  }

  /** Lambda's record shape: the stream record plus `eventSourceARN`, times in epoch seconds. */
  private toLambdaRecord(record: StreamRecord): LambdaRecord {
    const { dynamodb, ...rest } = record;
    const created = dynamodb?.ApproximateCreationDateTime;
    return {
      ...rest,
      awsRegion: this.options.region,
      eventSourceARN: this.options.streamArn.replace(/^arn:aws:dynamodb:[^:]+:/, `arn:aws:dynamodb:${this.options.region}:`),
      dynamodb: {
        ...dynamodb,
        ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : created,
        SequenceNumber: dynamodb!.SequenceNumber!,
      },
    } as LambdaRecord;
  }

  /**
   * Saves every consumer's positions: one save at a time, written to a temporary file and renamed
   * over the old one, so the file is always whole (even if local mode is killed mid-write).
   */
  private persist(): Promise<void> {
    const save = async () => {
      const temporary = `${this.options.statePath}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(this.positions));
      await rename(temporary, this.options.statePath);
    };
    this.saving = this.saving.then(save, save);
    return this.saving.catch((error: Error) => this.options.log?.(`stream pump: saving positions failed: ${error.message}`));
  }

  private sleep(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** Waits between polls: until `ms` pass, the pump stops, or `wake()` is called. */
  private idle(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: AbortSignal.any([this.stopping.signal, this.waking.signal]) }).catch(() => undefined);
  }
}

type LambdaRecord = Record<string, unknown> & { dynamodb: Record<string, unknown> & { SequenceNumber: string } };

/** The wait after the `emptyPasses`-th pass in a row that found nothing: `pollMs`, doubled each time, at most `maxIdleMs`. */
export function idleWait(emptyPasses: number, pollMs: number, maxIdleMs: number): number {
  return Math.min(Math.max(pollMs, maxIdleMs), pollMs * 2 ** Math.min(emptyPasses, 30));
}

const backoff = (attempt: number) => Math.min(2_000, 100 * 2 ** attempt);
