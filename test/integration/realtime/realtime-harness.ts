/**
 * What the realtime integration tests share: local mode's `@connections` API over connections
 * that record what is posted to them (no WebSocket needed: the handlers only see the endpoint),
 * the realtime handlers loaded once the environment points at it, WebSocket events built as API
 * Gateway builds them, and stream events built from real table items as DynamoDB Streams
 * delivers them. DynamoDB is the global emulator.
 */
import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import type { ServerFrame } from '../../../functions/core/realtime/realtime-protocol.js';
import { ENV } from '../../../functions/shared/env.js';
import { startConnectionsApi } from '../../../local/realtime/connections-api.js';
import type { ConnectionRegistry } from '../../../local/realtime/local-websocket-api.js';
import { buildWebSocketEvent, newConnectionId, type WebSocketConnectionInfo } from '../../../local/realtime/websocket-event.js';
import { lambdaContext } from '../../fixtures/lambda.js';

/** Connections that keep every frame posted to them; a test can make one gone (410), as API Gateway would. */
export class RecordingConnections implements ConnectionRegistry {
  private readonly frames = new Map<string, ServerFrame[]>();
  private readonly opened = new Map<string, number>();

  open(connectionId: string): void {
    this.frames.set(connectionId, []);
    this.opened.set(connectionId, Date.now());
  }

  /** The connection is gone on API Gateway's side: posts answer 410 from now on. */
  drop(connectionId: string): void {
    this.opened.delete(connectionId);
  }

  /** Frames posted since the last call. */
  take(connectionId: string): ServerFrame[] {
    return this.frames.get(connectionId)?.splice(0) ?? [];
  }

  post(connectionId: string, data: Buffer): 'sent' | 'gone' {
    if (!this.opened.has(connectionId)) return 'gone';
    this.frames.get(connectionId)!.push(JSON.parse(data.toString('utf8')) as ServerFrame);
    return 'sent';
  }

  describe(connectionId: string) {
    const at = this.opened.get(connectionId);
    return at === undefined ? undefined : { connectedAt: at, lastActiveAt: at, sourceIp: '127.0.0.1', userAgent: 'test' };
  }

  disconnect(connectionId: string): 'closed' | 'gone' {
    return this.opened.delete(connectionId) ? 'closed' : 'gone';
  }
}

type WebSocketHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ statusCode: number; body?: string }>;
type StreamHandler = (event: DynamoDBStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export type TestConnection = {
  connectionId: string;
  /** Sends one frame (an object is sent as JSON, a string or Buffer as it is) and resolves with the answer. */
  send(frame: Record<string, unknown> | string | Buffer): Promise<ServerFrame>;
  /** Frames posted to it (not answers) since the last call. */
  posted(): ServerFrame[];
  /** $disconnect. */
  close(): Promise<void>;
};

let sequence = 0;

export async function startRealtimeHarness() {
  const connections = new RecordingConnections();
  const api = await startConnectionsApi(connections);
  process.env[ENV.realtimeEndpoint] = api.endpoint;
  const handlers = {
    open: (await import('../../../functions/realtime/open-connection.js')).handler as unknown as WebSocketHandler,
    close: (await import('../../../functions/realtime/close-connection.js')).handler as unknown as WebSocketHandler,
    receive: (await import('../../../functions/realtime/receive-frame.js')).handler as unknown as WebSocketHandler,
    fanOut: (await import('../../../functions/realtime/fan-out-changes.js')).handler as unknown as StreamHandler,
  };
  const table = createDocumentClient();
  const tableName = process.env[ENV.tableName]!;

  async function connect(): Promise<TestConnection> {
    const info: WebSocketConnectionInfo = { connectionId: newConnectionId(), connectedAt: Date.now(), domainName: '127.0.0.1', sourceIp: '127.0.0.1', userAgent: 'test' };
    const opened = await handlers.open(buildWebSocketEvent({ route: '$connect', connection: info, headers: { Host: '127.0.0.1' } }), lambdaContext());
    if (opened.statusCode !== 200) throw new Error(`$connect answered ${opened.statusCode}`);
    connections.open(info.connectionId);
    return {
      connectionId: info.connectionId,
      async send(frame) {
        const body = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
        const result = await handlers.receive(buildWebSocketEvent({ route: '$default', connection: info, body }), lambdaContext());
        return JSON.parse(result.body!) as ServerFrame;
      },
      posted: () => connections.take(info.connectionId),
      async close() {
        connections.drop(info.connectionId);
        await handlers.close(buildWebSocketEvent({ route: '$disconnect', connection: info, statusCode: 1000, reason: '' }), lambdaContext());
      },
    };
  }

  /** The stored item (as the stream's images hold it). */
  async function item(key: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { Item } = await table.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    if (!Item) throw new Error(`no item ${JSON.stringify(key)}`);
    return Item;
  }

  /** Runs the fan-out on these committed changes, as one batch of stream records, in order. */
  async function commit(...changes: { eventName: 'INSERT' | 'MODIFY' | 'REMOVE'; before?: Record<string, unknown>; after?: Record<string, unknown> }[]) {
    const event: DynamoDBStreamEvent = {
      Records: changes.map(({ eventName, before, after }) => {
        const image = (after ?? before)!;
        const SequenceNumber = String(++sequence).padStart(21, '0');
        return {
          eventID: randomUUID(),
          eventName,
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: process.env.AWS_REGION,
          eventSourceARN: `arn:aws:dynamodb:${process.env.AWS_REGION}:000000000000:table/${tableName}/stream/2026-01-01T00:00:00.000`,
          dynamodb: {
            ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
            Keys: marshall({ pk: image.pk, sk: image.sk }) as never,
            ...(after ? { NewImage: marshall(after, { removeUndefinedValues: true }) as never } : {}),
            ...(before ? { OldImage: marshall(before, { removeUndefinedValues: true }) as never } : {}),
            SequenceNumber,
            SizeBytes: 100,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        };
      }),
    };
    return handlers.fanOut(event, lambdaContext());
  }

  return {
    connections,
    endpoint: api.endpoint,
    connect,
    item,
    commit,
    async stop() {
      table.destroy();
      await api.stop();
    },
  };
}
