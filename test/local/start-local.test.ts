/**
 * startLocal() as a whole, for what only shows with every part running: functions get Lambda's
 * environment, the pre-warm begins while Java starts, a far schedule does not fire, and stop()
 * does not wait for a trigger mid-invocation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import example from '../../lambase.config.js';
import { defineBackend } from '../../functions/core/config/define-backend.js';
import { startLocal, type LocalBackend } from '../../local/start-local.js';
import { processesMentioning, waitFor } from './fixtures/processes.js';

describe('local mode started in-process', () => {
  let local: LocalBackend | undefined;
  let dir: string;
  let callsFile: string;
  let eventsFile: string;
  const originalTz = process.env.TZ;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-start-local-'));
    callsFile = path.join(dir, 'calls.txt');
    eventsFile = path.join(dir, 'events.jsonl');
    // A developer in New York: functions must still run in UTC, as in Lambda.
    process.env.TZ = 'America/New_York';
    const backend = defineBackend({
      ...example.definition,
      functions: {
        probe: { handler: 'test/local/fixtures/env-probe.ts', memoryMb: 256, schedule: 'rate(30 days)' },
        slow: { handler: 'test/local/fixtures/slow-trigger.ts', timeoutSeconds: 300, on: { event: 'documentCreated', collection: 'notes' } },
      },
    });
    local = await startLocal({ port: 0, dataDir: path.join(dir, 'data'), backend, functionEnvironment: { FIXTURE_CALLS_FILE: callsFile, FIXTURE_EVENTS_FILE: eventsFile } });
  });
  afterAll(async () => {
    await local?.stop();
    process.env.TZ = originalTz;
    if (originalTz === undefined) delete process.env.TZ;
    await rm(dir, { recursive: true, force: true });
  });

  it('gives functions Lambda\'s environment: UTC, the reserved variables, a heap sized by memoryMb', async () => {
    const response = await fetch(`${local!.url}/_local/schedules/probe/run`, { method: 'POST' });
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: { timeZone: string; offsetMinutes: number; env: Record<string, string>; heapLimitMb: number } };
    expect(result.offsetMinutes).toBe(0);
    expect(result.env).toEqual({
      TZ: 'UTC',
      AWS_LAMBDA_FUNCTION_NAME: 'probe',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    });
    expect(result.heapLimitMb).toBeLessThan(400);
  });

  it('registers the functions and begins the pre-warm while DynamoDB Local\'s JVM is still starting, not after it answers', async () => {
    const { timeline } = local!;
    expect(timeline.functionsRegistered).toBeGreaterThan(0);
    expect(timeline.functionsRegistered).toBeLessThan(timeline.dynamodbAnswered);
    expect(timeline.dynamodbAnswered).toBeLessThanOrEqual(timeline.ready);
    await local!.prewarmed;
    expect(timeline.prewarmed).toBeGreaterThanOrEqual(timeline.functionsRegistered);
    // Sign-up, sign-in and the Cognito trigger were loaded (the probe's schedule may have run too).
    expect(local!.environmentCount()).toBeGreaterThanOrEqual(3);
  });

  it('does not fire a rate(30 days) schedule (longer than a timer can wait) until it is due', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const calls = existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean) : [];
    expect(calls.length).toBeLessThanOrEqual(1); // the on-demand run above
  });

  it('gives the local bucket the cloud bucket\'s CORS rule: form POSTs from the browser, no PUT', async () => {
    const objectUrl = `${local!.endpoints.s3}/${local!.bucketName}/files/someone/some-file`;
    const preflight = (method: string) =>
      fetch(objectUrl, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': method } });
    const post = await preflight('POST');
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-methods')).toBe('POST, GET, HEAD');
    expect((await preflight('PUT')).status).toBe(403);
  });

  it('stops without waiting for a trigger in the middle of a long invocation, leaving no process behind', async () => {
    const client = new DynamoDBClient({ endpoint: local!.endpoints.dynamodb, region: local!.region, credentials: local!.credentials });
    await client.send(
      new PutItemCommand({
        TableName: local!.tableName,
        Item: { pk: { S: 'DOC#notes#slow-1' }, sk: { S: 'DOC' }, entity: { S: 'document' }, collection: { S: 'notes' } },
      }),
    );
    client.destroy();
    // The stream pump, the dispatcher and this backend's own user function, each built and
    // started on first use (this test's backend has a build of its own): on a machine busy with
    // the rest of the suite that takes tens of seconds, so the wait is for the event, not a time.
    await waitFor(() => existsSync(eventsFile), 90_000, 'the trigger to start');
    const backend = local!;
    local = undefined;
    // The trigger works for 110 s: a stop that waited for it would outlast this test's timeout.
    await backend.stop();
    expect(processesMentioning(backend.dataDir)).toEqual([]);
  }, 150_000);
});
