/**
 * The realtime fan-out, a reader of the table's stream (filtered to documents and new inbox
 * items): each committed change goes to the subscribers that may see it, in stream order. A change
 * whose subscribers could not be read is retried by Lambda (`batchItemFailures`); a delivery that
 * fails is logged, never repeated (delivery is at most once).
 */
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { fanOutInOrder } from '../core/realtime/fan-out.js';
import { logger, loggerContext } from '../shared/logger.js';
import { realtimeDependencies, tableChangeOf } from './realtime-wiring.js';

const deps = {
  ...realtimeDependencies(),
  onDeliveryFailure: (connectionId: string, error: unknown) => logger.warn('delivery failed', { connectionId, error: error as Error }),
  onChangeFailure: (sequence: string, error: unknown) => logger.error('fan-out failed', { sequence, error: error as Error }),
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(loggerContext())
  .handler(async (event) => {
    const records = event.Records.map((record) => ({ sequence: record.dynamodb?.SequenceNumber ?? '', change: tableChangeOf(record) }));
    const { retryFrom, stats } = await fanOutInOrder(deps, records);
    logger.info('fan-out', { records: records.length, ...stats });
    return { batchItemFailures: retryFrom === undefined ? [] : [{ itemIdentifier: retryFrom }] };
  });
