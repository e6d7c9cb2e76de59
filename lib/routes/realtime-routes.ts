/**
 * The realtime feature's section of the route and trigger tables: the WebSocket API's three
 * routes and the fan-out that reads the table's stream, each with exactly the grants its
 * function uses. The CDK (lib/realtime/realtime-construct.ts, lib/triggers-construct.ts) and local
 * mode (local/realtime, the event pump) are both built from these rows.
 */
import { NOTIFICATION_ENTITY } from '../../functions/adapters/dynamodb-inbox-store.js';
import type { StreamFilter } from '../../functions/core/events/table-events.js';
import { grants } from '../grants.js';
import type { RealtimeRouteDefinition, TriggerDefinition } from '../route-types.js';

export const realtimeRoutes: readonly RealtimeRouteDefinition[] = [
  // Writes the connection item; reads no token (the client sends `auth` once connected).
  { routeKey: '$connect', handler: 'functions/realtime/open-connection.ts', grants: [grants.tableWrite] },
  // Reads the connection's subscriptions and deletes them with it.
  { routeKey: '$disconnect', handler: 'functions/realtime/close-connection.ts', grants: [grants.tableReadWrite] },
  {
    // Reads and writes the connection and its subscriptions; verifies tokens with the pool's
    // public keys (no IAM); posts the frames that end subscriptions before its answer.
    routeKey: '$default',
    handler: 'functions/realtime/receive-frame.ts',
    grants: [grants.tableReadWrite, grants.userPoolClient, grants.realtimeConnections],
    returnResponse: true,
  },
];

/**
 * The stream records the fan-out reads: documents (inserted and modified by their new image,
 * removed — TTL expiry included — by their old one) and new inbox items.
 */
export const REALTIME_STREAM_FILTERS: readonly StreamFilter[] = [
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['document'] } } } },
  { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: ['document'] } } } },
  { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [NOTIFICATION_ENTITY] } } } },
];

export const realtimeTriggers: readonly TriggerDefinition[] = [
  {
    // Queries subscribers, deletes the connections API Gateway reports gone and makes expired
    // callers anonymous; posts frames. One record at a time per shard, in order; up to 4 batches
    // of one shard at once (Lambda keeps each document's changes in order across them).
    name: 'realtime-fan-out',
    handler: 'functions/realtime/fan-out-changes.ts',
    source: 'stream',
    filters: REALTIME_STREAM_FILTERS,
    batchSize: 100,
    parallelization: 4,
    // A change more than an hour old is no longer news to a live socket.
    maxRecordAgeHours: 1,
    grants: [grants.tableReadWrite, grants.realtimeConnections],
    timeoutSeconds: 60,
    memoryMb: 1024,
  },
];
