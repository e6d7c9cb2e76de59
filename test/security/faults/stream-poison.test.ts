/**
 * A stream reader meets a poison record: a change its function can never process. Through the
 * stream pump that local mode runs (Lambda's event source mapping semantics), the real DynamoDB
 * Local stream and the event dispatcher's filter for one collection's creations, with a function
 * written the way AWS advises for ordered streams — it processes records in order and, at the
 * first it cannot, reports that one as the batch's failure.
 *
 * Exactly the poison record is given up (Lambda's on-failure destination), every other record
 * reaches the function and takes effect exactly once, and none is lost — neither those before the
 * poison in its batch, nor those after it.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject } from 'vitest';
import { defineBackend } from '../../../functions/core/config/define-backend.js';
import { toItem } from '../../../functions/core/documents/document-item.js';
import { streamFilters } from '../../../functions/core/events/table-events.js';
import type { FilterPattern } from '../../../local/events/event-filter.js';
import { StreamPump } from '../../../local/events/stream-pump.js';
import { testIn } from '../harness/security-test.js';
import { z } from 'zod';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const it = testIn('stream-triggers');
const emulators = inject('emulators');
const clientOptions = { endpoint: emulators.dynamodbEndpoint, region: emulators.region, credentials: emulators.credentials };
const dynamodb = new DynamoDBClient(clientOptions);
const table = DynamoDBDocumentClient.from(dynamodb);
const streams = new DynamoDBStreamsClient(clientOptions);
afterAll(() => {
  table.destroy();
  streams.destroy();
});

type StreamRecord = { dynamodb: { SequenceNumber: string; NewImage?: { id?: { S?: string }; data?: { M?: { title?: { S?: string } } } } } };

describe('a poison record in a stream reader\'s batch', () => {
  it('is the one record given up; every other one takes effect exactly once, none lost', async ({ tally }) => {
    // A collection of its own, so the table's other records do not reach this trigger.
    const collection = `poison-${randomUUID().slice(0, 8)}`;
    const backend = defineBackend({ collections: { [collection]: { fields: { title: z.string() } } } });
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-poison-'));
    const deliveries = new Map<string, number>();
    const applied = new Map<string, string>();
    const log: string[] = [];

    const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: emulators.tableName }))).Table!.LatestStreamArn!;
    const pumpWith = (invoke: (event: { Records: unknown[] }) => Promise<unknown>) =>
      new StreamPump({
        client: streams,
        streamArn,
        consumers: [{ name: 'poison-test', filters: streamFilters([{ event: 'documentCreated', collection }]) as FilterPattern[], batchSize: 10, invoke }],
        statePath: path.join(stateDir, 'positions.json'),
        region: emulators.region,
        pollMs: 50,
        maxRetries: 2,
        log: (line) => log.push(line),
      });
    const put = async (title: string) => {
      const now = new Date().toISOString();
      const item = toItem(backend.collections[collection]!, { id: randomUUID(), owner: 'owner', createdAt: now, updatedAt: now, version: 1 }, { title });
      await table.send(new PutCommand({ TableName: emulators.tableName, Item: item }));
    };
    const until = async (done: () => boolean, timeoutMs = 30_000) => {
      // Waits for the effect the test is about, not for a time.
      const deadline = Date.now() + timeoutMs;
      while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    };

    // A first start takes the stream from its latest record (Lambda's LATEST): once a first record
    // has gone through, the position is saved, and the records below wait for the next start.
    let warmedUp = false;
    const first = pumpWith(async () => {
      warmedUp = true;
      return { batchItemFailures: [] };
    });
    await first.start();
    // The pump takes its position when it first reads the stream: a record written before that is
    // not for it, so warm-up records go in until one arrives.
    for (let tries = 0; !warmedUp && tries < 300; tries++) {
      await put('warm-up');
      await until(() => warmedUp, 200);
    }
    await first.stop();

    // 12 documents, read at once at the next start: a batch of 10 with the poison 4th, then 2
    // (and whatever warm-up records came after the one that arrived).
    const titles = Array.from({ length: 12 }, (_, index) => (index === 3 ? 'poison' : `good-${index}`));
    for (const title of titles) await put(title);
    const pump = pumpWith(async (event) => {
      // In order; the first record it cannot process is reported, the rest are left for the retry.
      for (const record of event.Records as StreamRecord[]) {
        const sequence = record.dynamodb.SequenceNumber;
        const title = record.dynamodb.NewImage?.data?.M?.title?.S ?? '';
        if (title === 'warm-up') continue; // left from the first start
        deliveries.set(sequence, (deliveries.get(sequence) ?? 0) + 1);
        if (title === 'poison') return { batchItemFailures: [{ itemIdentifier: sequence }] };
        // Idempotent, keyed by the record: a redelivery changes nothing visible.
        applied.set(sequence, title);
      }
      return { batchItemFailures: [] };
    });
    await pump.start();
    try {
      await until(() => applied.size === 11 && log.some((line) => line.includes('gave up')));
    } finally {
      await pump.stop();
      await rm(stateDir, { recursive: true, force: true });
    }

    const gaveUp = log.filter((line) => line.includes('gave up'));
    tally.check();
    tally.figure('records', 12);
    tally.figure('given up', gaveUp.reduce((total, line) => total + Number(/gave up on (\d+) record/.exec(line)?.[1] ?? 0), 0));
    tally.figure('lost', 11 - applied.size);
    expect([...applied.values()].sort()).toEqual(Array.from({ length: 12 }, (_, index) => `good-${index}`).filter((title) => title !== 'good-3').sort());
    expect(gaveUp, 'one record given up, the poison').toHaveLength(1);
    expect(gaveUp[0]).toMatch(/gave up on 1 record\(s\)/);
    const poison = [...deliveries.keys()].find((sequence) => !applied.has(sequence))!;
    expect(gaveUp[0]).toContain(poison);
    // Before the poison: delivered once. The poison: first try and its retries. After it: until done.
    expect(deliveries.get(poison)).toBe(3);
    for (const [sequence, count] of deliveries) if (sequence < poison) expect(count, `record ${sequence} before the poison`).toBe(1);
    // After it: once each, now that the poison is out of the way.
    for (const [sequence, count] of deliveries) if (sequence > poison) expect(count, `record ${sequence} after the poison`).toBeGreaterThanOrEqual(1);
  });
});
