/**
 * An event or scheduled user function: each event runs **once per `eventId`** (a receipt in the
 * table, Powertools idempotency); a run that throws leaves no receipt, so Lambda's retries run it
 * again. Its own module so that an HTTP function's bundle leaves Powertools out (build/function-build.ts).
 */
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { scheduledEvent, type LambaseEvent, type ScheduleInput } from '../core/events/lambase-events.js';
import { eventReceiptPrefix } from '../core/table-design.js';
import { dynamoDbClient } from '../adapters/aws-clients.js';
import { singleTableIdempotencyStore } from '../adapters/dynamodb-idempotency-store.js';
import { dynamoDbMeter, withUsageScope } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import type { Parts, Run } from './context-parts.js';
import type { FunctionSettings } from './function-settings.js';

/**
 * Where a function's event receipts live (grant: `eventReceipts`, its own `EVENT#<name>#…` items).
 * Wired here, not in sdk-wiring.ts: importing the store pulls in Powertools (its JMESPath
 * modules, 22 KB, stay in a bundle even unused), which an HTTP function must not carry.
 */
function eventReceiptStore() {
  return singleTableIdempotencyStore(dynamoDbClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** Receipts outlive every redelivery: the stream's 24 h of retries, then Lambda's 6 h event age. */
const RECEIPT_SECONDS = 3 * 24 * 60 * 60;

export function eventFunction(settings: FunctionSettings, run: Run, parts: Parts) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'eventId', expiresAfterSeconds: RECEIPT_SECONDS, throwOnNoIdempotencyKey: true });
  let once: ((event: LambaseEvent, context: Context) => Promise<null>) | undefined;
  return async (payload: LambaseEvent | ScheduleInput, context: Context): Promise<void> => {
    const event = isScheduleInput(payload) ? scheduledEvent(payload) : payload;
    once ??= makeIdempotent(
      async (received: LambaseEvent, lambdaContext: Context) => {
        await run(received, parts.contextFor(lambdaContext.awsRequestId, received.eventId));
        return null; // nothing worth keeping: the receipt only says "done"
      },
      { persistenceStore: eventReceiptStore(), keyPrefix: eventReceiptPrefix(settings.name), config },
    );
    config.registerLambdaContext(context);
    // This run's entries carry its context and keys only (startInvocation clears the last run's).
    logger.startInvocation(context);
    logger.appendKeys({ function: settings.name, eventId: event.eventId });
    try {
      await withUsageScope(() => once!(event, context));
    } catch (error) {
      // Another delivery of this event is running now; if it fails, its own retries run it again.
      if (error instanceof IdempotencyAlreadyInProgressError) return logger.info('event already being handled elsewhere');
      logger.error('function failed', error as Error);
      throw error;
    }
  };
}

function isScheduleInput(payload: LambaseEvent | ScheduleInput): payload is ScheduleInput {
  return payload.type === 'scheduled' && !('eventId' in payload);
}
