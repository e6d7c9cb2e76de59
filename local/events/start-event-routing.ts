/**
 * Local mode's event sources, each delivering to its trigger functions with Lambda's semantics,
 * started in order and stopped in reverse:
 *   1. the table's stream → its two readers, the event dispatcher and the realtime fan-out (the
 *      stream pump: batches, filters, partial failures; woken whenever a function finishes)
 *   2. S3 object-created events → storage triggers (asynchronous invocations, retried twice)
 *   3. schedules → scheduled functions (timers, and POST /_local/schedules/{name}/run)
 * What fails every retry goes to the failure destination (`asyncInvoker`'s, and `onStreamGiveUp`).
 * Cognito calls its own triggers (startCognito's `triggers`, named by {@link cognitoTriggers}); the
 * dispatcher reaches user functions through the local Invoke endpoint.
 */
import path from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { decodeS3EventKey } from '../../functions/core/storage/s3-event-key.js';
import type { TriggerDefinition } from '../../lib/triggers.js';
import type { TriggerFunctions } from '../emulators/cognito/lambda-triggers.js';
import type { LocalCredentials } from '../emulators/local-credentials.js';
import type { LocalS3 } from '../emulators/s3/start-s3.js';
import type { AsyncInvoker } from './async-invoker.js';
import type { FilterPattern } from './event-filter.js';
import type { LocalFailures } from './local-failures.js';
import { LocalScheduler } from './scheduler.js';
import { StreamPump } from './stream-pump.js';

export type EventRoutingOptions = {
  triggers: readonly TriggerDefinition[];
  /** Where the functions run (the local Lambda runtime). */
  runtime: { invoke(name: string, event: unknown): Promise<unknown> };
  /** The table's stream on DynamoDB Local, read with the data folder's key pair. */
  stream: { endpoint: string; streamArn: string; credentials: LocalCredentials };
  /** The local S3, whose object-created events reach the storage triggers. */
  s3: Pick<LocalS3, 'onObjectCreated'>;
  region: string;
  /** Where each stream trigger's position is kept across restarts. */
  dataDir: string;
  /** Asynchronous invocations (retries, then the failure destination), shared with the Invoke endpoint. */
  asyncInvoker: AsyncInvoker;
  /** The failure destination of stream records given up on. */
  failures: Pick<LocalFailures, 'addStream'>;
  log: (line: string) => void;
};

export type EventRouting = {
  /** Runs scheduled functions on demand (the local-only route). */
  scheduler: LocalScheduler;
  /** The table may have changed: the stream's readers poll now. */
  wakeStreams(): void;
  /** Stops the schedules, then S3 events, then the stream pump (the owner of `asyncInvoker` stops its retries). */
  stop(): Promise<void>;
};

/**
 * @example
 * const events = await startEventRouting({ triggers, runtime, stream: { endpoint, streamArn, credentials }, s3, region, dataDir, asyncInvoker, failures, log });
 * await events.scheduler.run('nightly');
 * await events.stop();
 */
export async function startEventRouting(options: EventRoutingOptions): Promise<EventRouting> {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne();
  };
  try {
    const pump = await startStreamPump(options);
    stops.push(pump.stop);
    stops.push(routeObjectCreated(options));
    const scheduler = schedulerFor(options);
    stops.push(() => scheduler.stop());
    scheduler.start();
    return { scheduler, wakeStreams: pump.wake, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Which function Cognito calls for each of its triggers, as the user pool's `LambdaConfig`. */
export function cognitoTriggers(triggers: readonly TriggerDefinition[]): TriggerFunctions {
  return Object.fromEntries(triggers.flatMap((trigger) => (trigger.source === 'cognito' ? [[trigger.event, trigger.name]] : [])));
}

/**
 * 1. One consumer per stream trigger (the event dispatcher, the realtime fan-out), each with its
 * own position in the stream, like an event source mapping.
 */
async function startStreamPump(options: EventRoutingOptions): Promise<{ stop: () => Promise<void>; wake: () => void }> {
  const consumers = options.triggers.flatMap((trigger) =>
    trigger.source === 'stream'
      ? [{
          name: trigger.name,
          filters: trigger.filters as FilterPattern[],
          batchSize: trigger.batchSize ?? 100,
          invoke: (event: unknown) => options.runtime.invoke(trigger.name, event),
        }]
      : [],
  );
  if (consumers.length === 0) return { stop: () => Promise.resolve(), wake: () => {} };
  const client = new DynamoDBStreamsClient({ endpoint: options.stream.endpoint, region: options.region, credentials: options.stream.credentials });
  const pump = new StreamPump({
    client,
    streamArn: options.stream.streamArn,
    consumers,
    statePath: path.join(options.dataDir, 'stream-positions.json'),
    region: options.region,
    log: options.log,
    onGiveUp: (failure) => options.failures.addStream(failure),
  });
  try {
    await pump.start();
  } catch (error) {
    client.destroy();
    throw error;
  }
  return {
    stop: async () => {
      await pump.stop();
      client.destroy();
    },
    wake: () => pump.wake(),
  };
}

/**
 * 2. S3 notifications are asynchronous invocations, one per matching trigger (its key prefix):
 * retried twice, then the failure destination.
 */
function routeObjectCreated(options: EventRoutingOptions): () => void {
  const s3Triggers = options.triggers.filter((trigger) => trigger.source === 's3');
  return options.s3.onObjectCreated((record) => {
    const key = decodeS3EventKey(record.s3.object.key);
    for (const trigger of s3Triggers) {
      if (key.startsWith(trigger.prefix)) {
        const event = { Records: [record] };
        void options.asyncInvoker.invoke(trigger.name, event, () => options.runtime.invoke(trigger.name, event));
      }
    }
  });
}

/** 3. EventBridge Scheduler's part: each scheduled function on its expression. */
function schedulerFor(options: EventRoutingOptions): LocalScheduler {
  const schedules = options.triggers.flatMap((trigger) =>
    trigger.source === 'schedule'
      ? [{ name: trigger.name, expression: trigger.expression, invoke: (event: unknown) => options.runtime.invoke(trigger.name, event) }]
      : [],
  );
  return new LocalScheduler(schedules, options.asyncInvoker);
}
