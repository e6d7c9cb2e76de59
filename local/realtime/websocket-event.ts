/**
 * Builds API Gateway WebSocket API events (Lambda proxy integration) as the cloud delivers them:
 * `requestContext` with `routeKey`, `eventType` (CONNECT, MESSAGE, DISCONNECT), `connectionId`,
 * `connectedAt`, `domainName`, `stage`, `apiId`, `requestId`, `requestTime(Epoch)`, `identity`;
 * headers on `$connect` (and API Gateway's few on `$disconnect`), the frame as `body` on messages
 * (binary frames base64-encoded), the close code and reason on `$disconnect`. Local mode's
 * WebSocket gateway uses them for every route; tests use them as their event factory.
 */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { REALTIME_STAGE_NAME } from '../../lib/realtime/realtime-settings.js';
import { formatRequestTime, newRequestId } from '../gateway/http-api-event.js';

export type WebSocketConnectionInfo = {
  connectionId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** `host` of the upgrade request (API Gateway: `<api>.execute-api.<region>.amazonaws.com`). */
  domainName: string;
  sourceIp: string;
  userAgent: string;
};

export type WebSocketEventInput =
  | { route: '$connect'; connection: WebSocketConnectionInfo; headers?: Record<string, string | string[] | undefined>; query?: URLSearchParams; now?: Date }
  | { route: '$default'; connection: WebSocketConnectionInfo; body: string | Buffer; now?: Date }
  | { route: '$disconnect'; connection: WebSocketConnectionInfo; statusCode: number; reason: string; now?: Date };

export type LocalWebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    identity: { sourceIp: string; userAgent: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
};

const EVENT_TYPES = { $connect: 'CONNECT', $default: 'MESSAGE', $disconnect: 'DISCONNECT' } as const;

/** API Gateway's connection ids look like "L0SM9cOFvHcCIhw=": 14 characters plus "=". */
export const newConnectionId = newRequestId;

export function buildWebSocketEvent(input: WebSocketEventInput): LocalWebSocketEvent {
  const now = input.now ?? new Date();
  const { connection } = input;
  const event: LocalWebSocketEvent = {
    requestContext: {
      routeKey: input.route,
      eventType: EVENT_TYPES[input.route],
      extendedRequestId: newRequestId(),
      requestTime: formatRequestTime(now),
      messageDirection: 'IN',
      stage: REALTIME_STAGE_NAME,
      connectedAt: connection.connectedAt,
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      requestId: newRequestId(),
      domainName: connection.domainName,
      connectionId: connection.connectionId,
      apiId: 'local',
      messageId: '',
    },
    isBase64Encoded: false,
  };
  switch (input.route) {
    case '$connect': {
      const { headers, multiValueHeaders } = headersOf(input.headers ?? {});
      Object.assign(event, { headers, multiValueHeaders });
      const query = input.query;
      if (query && [...query.keys()].length > 0) {
        event.queryStringParameters = Object.fromEntries([...new Set(query.keys())].map((key) => [key, query.getAll(key).at(-1)!]));
        event.multiValueQueryStringParameters = Object.fromEntries([...new Set(query.keys())].map((key) => [key, query.getAll(key)]));
      }
      delete (event.requestContext as { messageId?: string }).messageId;
      break;
    }
    case '$default': {
      event.requestContext.messageId = newRequestId();
      const binary = Buffer.isBuffer(input.body);
      event.body = binary ? (input.body as Buffer).toString('base64') : (input.body as string);
      event.isBase64Encoded = binary;
      break;
    }
    case '$disconnect': {
      const { headers, multiValueHeaders } = headersOf({ Host: connection.domainName, 'X-Forwarded-For': '' });
      Object.assign(event, { headers, multiValueHeaders });
      event.requestContext.disconnectStatusCode = input.statusCode;
      event.requestContext.disconnectReason = input.reason;
      delete (event.requestContext as { messageId?: string }).messageId;
      break;
    }
  }
  return event;
}

/** WebSocket events keep the headers' own casing, in single- and multi-value forms. */
function headersOf(input: Record<string, string | string[] | undefined>) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  return { headers, multiValueHeaders };
}
