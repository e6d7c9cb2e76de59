/**
 * The event dispatcher: the table's stream (filtered to the changes some user function is on) in,
 * Lambase events out, each handed to its subscribed functions for an asynchronous run
 * (functions/core/events/dispatch-events.ts). Reports the first change it could not hand over as
 * its batch item failure, so the stream delivers it again.
 */
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toTableChange, type StreamRecord } from '../adapters/dynamodb-stream-changes.js';
import { dispatchChanges } from '../core/events/dispatch-events.js';
import { logger, loggerContext } from '../shared/logger.js';
import { eventSubscriptions, functionInvoker } from './events-wiring.js';

const deps = {
  invoke: functionInvoker(),
  subscriptions: eventSubscriptions(),
  onInvokeFailure: (failure: { function: string; eventId: string; error: unknown }) =>
    logger.warn('could not hand an event to a function; the batch is retried from it', { function: failure.function, eventId: failure.eventId, error: failure.error as Error }),
};

async function dispatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const changes = event.Records.map((record) => toTableChange(record as StreamRecord));
  const { failedSequenceNumber, invoked } = await dispatchChanges(deps, changes);
  logger.info('dispatched', { records: changes.length, invoked, ...(failedSequenceNumber ? { failedSequenceNumber } : {}) });
  return { batchItemFailures: failedSequenceNumber ? [{ itemIdentifier: failedSequenceNumber }] : [] };
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(loggerContext())
  .handler(dispatch);
