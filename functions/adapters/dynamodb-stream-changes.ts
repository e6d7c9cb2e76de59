/**
 * DynamoDB stream records (as Lambda delivers them to the event dispatcher) as the plain changes
 * functions/core/events reads: images unmarshalled, the TTL sweeper's removals told apart.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StreamEventName, TableChange } from '../core/events/table-events.js';

/** The parts of Lambda's DynamoDB stream record that a change is made of. */
export type StreamRecord = {
  eventID?: string;
  eventName?: string;
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: {
    SequenceNumber?: string;
    ApproximateCreationDateTime?: number;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
};

/** DynamoDB's TTL sweeper signs its removals this way (AWS: "Working with streams and TTL"). */
const TTL_SWEEPER = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

const image = (value: Record<string, unknown> | undefined) =>
  value ? unmarshall(value as Record<string, AttributeValue>, { wrapNumbers: false }) : undefined;

export function toTableChange(record: StreamRecord): TableChange {
  const dynamodb = record.dynamodb ?? {};
  return {
    eventId: record.eventID ?? '',
    sequenceNumber: dynamodb.SequenceNumber ?? '',
    eventName: record.eventName as StreamEventName,
    before: image(dynamodb.OldImage),
    after: image(dynamodb.NewImage),
    expired: record.userIdentity?.type === TTL_SWEEPER.type && record.userIdentity.principalId === TTL_SWEEPER.principalId,
    at: new Date((dynamodb.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000),
  };
}
