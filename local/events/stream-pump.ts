/**
 * Local mode's stand-in for Lambda's DynamoDB event source mappings: reads the table's stream
 * from DynamoDB Local and delivers records to each trigger function with Lambda's semantics —
 * its own position per function (kept across restarts), event filters (non-matching records are
 * dropped), batches of `batchSize`, `{ batchItemFailures }` partial failures retried from the
 * first failed record, whole-batch errors retried with the batch bisected, and a record given up
 * after `maxRetries` (logged as Lambda's on-failure destination would receive it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
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
  pollMs?: number;
  maxRetries?: number;
  log?: (line: string) => void;
};

type Positions = Record<string, Record<string, string>>;
type ShardCursor = { iterator: string | undefined; done: boolean };

export class StreamPump {
  private running = false;
  private loops: Promise<void>[] = [];
  private positions: Positions = {};
  private readonly stopping = new AbortController();

  constructor(private readonly options: StreamPumpOptions) {}

  async start(): Promise<void> {
    this.positions = await readFile(this.options.statePath, 'utf8').then((text) => JSON.parse(text) as Positions, () => ({}));
    this.running = true;
    this.loops = this.options.consumers.map((consumer) => this.run(consumer));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.loops);
    await this.persist();
  }

  private async run(consumer: StreamConsumer): Promise<void> {
    const cursors = new Map<string, ShardCursor>();
    const firstRun = !this.positions[consumer.name];
    this.positions[consumer.name] ??= {};
    while (this.running) {
      try {
        const got = await this.pollOnce(consumer, cursors, firstRun);
        if (got) continue;
      } catch (error) {
        if (this.running) this.options.log?.(`stream pump (${consumer.name}): ${(error as Error).message}`);
      }
      await this.sleep(this.options.pollMs ?? 200);
    }
  }

  /** One pass over every shard; true when records were read (poll again at once). */
  private async pollOnce(consumer: StreamConsumer, cursors: Map<string, ShardCursor>, firstRun: boolean): Promise<boolean> {
    const { client, streamArn } = this.options;
    const description = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shards = description.StreamDescription?.Shards ?? [];
    const positions = this.positions[consumer.name]!;
    let readAny = false;
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      let cursor = cursors.get(shardId);
      if (cursor?.done) continue;
      // Children wait until their parent shard is read to its end, as Lambda does.
      if (shard.ParentShardId && cursors.has(shard.ParentShardId) && !cursors.get(shard.ParentShardId)!.done) continue;
      if (!cursor || !cursor.iterator) {
        const after = positions[shardId];
        const { ShardIterator } = await client.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
              : { ShardIteratorType: firstRun ? 'LATEST' : 'TRIM_HORIZON' }),
          }),
        );
        cursor = { iterator: ShardIterator, done: false };
        cursors.set(shardId, cursor);
      }
      let records: StreamRecord[] = [];
      try {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: 1000 }));
        records = page.Records ?? [];
        cursor.iterator = page.NextShardIterator;
        if (!page.NextShardIterator) cursor.done = true;
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          cursor.iterator = undefined;
          continue;
        }
        throw error;
      }
      if (records.length === 0) continue;
      readAny = true;
      await this.deliver(consumer, shardId, records);
      // The position advances past filtered-out records too (unless we stopped mid-way).
      if (this.running) positions[shardId] = records.at(-1)!.dynamodb!.SequenceNumber!;
      await this.persist();
    }
    return readAny;
  }

  private async deliver(consumer: StreamConsumer, shardId: string, records: StreamRecord[]): Promise<void> {
    const events = records.map((record) => this.toLambdaRecord(record)).filter((record) => matchesAny(record, consumer.filters));
    for (let start = 0; start < events.length && this.running; start += consumer.batchSize) {
      await this.deliverBatch(consumer, events.slice(start, start + consumer.batchSize), 0);
      this.positions[consumer.name]![shardId] = (events[Math.min(start + consumer.batchSize, events.length) - 1] as LambdaRecord).dynamodb.SequenceNumber;
    }
  }

  private async deliverBatch(consumer: StreamConsumer, batch: LambdaRecord[], attempt: number): Promise<void> {
    if (batch.length === 0 || !this.running) return;
    const maxRetries = this.options.maxRetries ?? 5;
    let failedFrom: number | undefined;
    try {
      const result = (await consumer.invoke({ Records: batch })) as { batchItemFailures?: { itemIdentifier: string }[] } | null;
      const failures = result?.batchItemFailures ?? [];
      if (failures.length === 0) return;
      const failedIds = new Set(failures.map((failure) => failure.itemIdentifier));
      failedFrom = batch.findIndex((record) => failedIds.has(record.dynamodb.SequenceNumber));
      if (failedFrom < 0) failedFrom = 0; // an unknown identifier fails the whole batch, as in Lambda
    } catch (error) {
      this.options.log?.(`${consumer.name} failed on a batch of ${batch.length}: ${(error as Error).message}`);
      if (attempt >= maxRetries) return this.giveUp(consumer, batch);
      await this.sleep(backoff(attempt));
      if (batch.length > 1) {
        // Bisect on error: retry each half on its own.
        const middle = Math.ceil(batch.length / 2);
        await this.deliverBatch(consumer, batch.slice(0, middle), attempt + 1);
        await this.deliverBatch(consumer, batch.slice(middle), attempt + 1);
      } else {
        await this.deliverBatch(consumer, batch, attempt + 1);
      }
      return;
    }
    if (attempt >= maxRetries) return this.giveUp(consumer, batch.slice(failedFrom));
    await this.sleep(backoff(attempt));
    await this.deliverBatch(consumer, batch.slice(failedFrom), attempt + 1);
  }

  private giveUp(consumer: StreamConsumer, batch: LambdaRecord[]): void {
    const range = `${batch[0]!.dynamodb.SequenceNumber}…${batch.at(-1)!.dynamodb.SequenceNumber}`;
    this.options.log?.(`${consumer.name}: gave up on ${batch.length} record(s) ${range} after retries (on-failure destination)`);
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

  private async persist(): Promise<void> {
    await writeFile(this.options.statePath, JSON.stringify(this.positions));
  }

  private sleep(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}

type LambdaRecord = Record<string, unknown> & { dynamodb: Record<string, unknown> & { SequenceNumber: string } };

const backoff = (attempt: number) => Math.min(2_000, 100 * 2 ** attempt);
