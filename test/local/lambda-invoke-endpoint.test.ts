/**
 * Local mode's Lambda Invoke endpoint, called with the SDK's own Lambda client as the event
 * dispatcher calls it (asynchronous events with Lambda's retries and failure destination,
 * synchronous calls with their result or function error). A changed function reloading without a
 * restart is local-bundles.test.ts's.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { AsyncInvoker } from '../../local/events/async-invoker.js';
import { LocalFailures } from '../../local/events/local-failures.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { LambdaInvokeServer } from '../../local/runtime/lambda-invoke-server.js';
import { LocalLambdaRuntime } from '../../local/runtime/lambda-runtime.js';
import { LocalBundles } from '../../local/runtime/local-bundles.js';
import backend from '../../lambase.config.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';

let dir: string;
let bundles: LocalBundles;
/** The handler is built as every function is, so it lives inside the project (test/tmp is git-ignored). */
const handler = `test/tmp/invoke-${process.pid}/echo.ts`;
let runtime: LocalLambdaRuntime;
let invoker: AsyncInvoker;
let server: LambdaInvokeServer;
let failures: LocalFailures;
let lambda: LambdaClient;
/** Settles when the asynchronous invoker gives up on an event (its failure destination). */
let gaveUp: Promise<void>;

/** A handler that answers `{ version, event }`, or throws when the event asks it to. */
const handlerSource = (version: string) => `
let calls = 0;
export async function handler(event) {
  calls++;
  if (event.fail) throw new RangeError('asked to fail, call ' + calls);
  return { version: '${version}', event, calls };
}
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-invoke-'));
  await mkdir(path.dirname(path.join(PROJECT_ROOT, handler)), { recursive: true });
  await writeFile(path.join(PROJECT_ROOT, handler), handlerSource('v1'));
  bundles = await LocalBundles.open({ backend, entries: [], cacheDir: dir });
  runtime = new LocalLambdaRuntime({ bundles });
  runtime.register({ name: 'echo', bundle: { id: 'Echo', handler }, environment: {}, timeoutSeconds: 5, memoryMb: 128 });
  failures = new LocalFailures('us-east-1');
  let announce: () => void = () => {};
  gaveUp = new Promise((resolve) => (announce = resolve));
  invoker = new AsyncInvoker({
    retryDelaysMs: [10, 20],
    onGiveUp: (failure) => {
      failures.addAsync(failure);
      announce();
    },
  });
  server = new LambdaInvokeServer({ runtime, asyncInvoker: invoker });
  lambda = new LambdaClient({ endpoint: await server.start(), region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
});

afterEach(async () => {
  lambda.destroy();
  await server.stop();
  await invoker.stop();
  await runtime.stop();
  await bundles.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(path.dirname(path.join(PROJECT_ROOT, handler)), { recursive: true, force: true });
});

const invoke = (payload: unknown, type?: 'Event' | 'RequestResponse', functionName = 'echo') =>
  lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: type, Payload: Buffer.from(JSON.stringify(payload)) }));
const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload!).toString('utf8'));

describe('the local Lambda Invoke endpoint', () => {
  it('answers a synchronous call with the result, and a failing one with FunctionError and the error', async () => {
    const ok = await invoke({ hello: 'world' });
    expect(ok.StatusCode).toBe(200);
    expect(ok.FunctionError).toBeUndefined();
    expect(decode(ok.Payload)).toMatchObject({ version: 'v1', event: { hello: 'world' } });
    const failed = await invoke({ fail: true });
    expect(failed.FunctionError).toBe('Unhandled');
    expect(decode(failed.Payload)).toEqual({ errorType: 'RangeError', errorMessage: expect.stringContaining('asked to fail') });
  });

  it('accepts an asynchronous event with 202 and runs it; one that keeps failing runs three times, then lands in the failure destination', async () => {
    expect((await invoke({ n: 1 }, 'Event')).StatusCode).toBe(202);
    const failing = await invoke({ fail: true, n: 2 }, 'Event');
    expect(failing.StatusCode).toBe(202);
    await gaveUp;
    const [failure, ...others] = failures.toJSON().failures;
    expect(others).toEqual([]);
    expect(failure).toMatchObject({
      functionName: 'echo',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: expect.stringMatching(/function:echo:\$LATEST$/) },
      requestPayload: { fail: true, n: 2 },
      responsePayload: { errorType: 'RangeError', errorMessage: expect.stringContaining('asked to fail') },
    });
  });

  it('refuses an unknown function as Lambda does', async () => {
    await expect(invoke({}, 'Event', 'nope')).rejects.toBeInstanceOf(ResourceNotFoundException);
    // A full ARN names the function too.
    expect((await invoke({}, 'RequestResponse', 'arn:aws:lambda:us-east-1:000000000000:function:echo')).StatusCode).toBe(200);
  });
});
