/**
 * Local mode's `@connections` API: what API Gateway's management API is to a WebSocket stage, on
 * its own port on 127.0.0.1, so the production adapter (ApiGatewayManagementApiClient) posts to
 * it unchanged — functions only see `LAMBASE_REALTIME_ENDPOINT` pointing here. Signatures are not
 * checked (nothing but local functions reach this port).
 *
 *   POST   {endpoint}/@connections/{id}  → 200 (the body goes to the client as a text frame); 410 GoneException; 413 over 128 KiB
 *   GET    {endpoint}/@connections/{id}  → 200 { connectedAt, identity: { sourceIp, userAgent }, lastActiveAt }; 410
 *   DELETE {endpoint}/@connections/{id}  → 204 (closed); 410
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REALTIME_STAGE_NAME } from '../../lib/realtime/realtime-settings.js';
import type { ConnectionRegistry } from './local-websocket-api.js';

/** API Gateway's limit on one `@connections` message (it is split into 32 KiB frames on the wire). */
export const MAX_POST_BYTES = 128 * 1024;

const PATH = new RegExp(`^/${REALTIME_STAGE_NAME}/@connections/([^/]+)$`);

export type ConnectionsApi = { endpoint: string; stop(): Promise<void> };

export async function startConnectionsApi(connections: ConnectionRegistry): Promise<ConnectionsApi> {
  const server: Server = createServer((request, response) => {
    handle(connections, request, response).catch(() => answer(response, 500, 'InternalServerErrorException', 'Internal server error'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    // The stage's callback URL, as the CDK gives it to functions in the cloud.
    endpoint: `http://127.0.0.1:${port}/${REALTIME_STAGE_NAME}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(connections: ConnectionRegistry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const match = PATH.exec(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  const body = await readBody(request, MAX_POST_BYTES);
  if (!match) return answer(response, 404, 'NotFoundException', 'Not Found');
  const connectionId = decodeURIComponent(match[1]!);
  switch (request.method) {
    case 'POST':
      if (body === 'too-large') return answer(response, 413, 'PayloadTooLargeException', `The message is over ${MAX_POST_BYTES} bytes.`);
      if (connections.post(connectionId, body) === 'gone') return gone(response);
      return void response.writeHead(200, { 'content-length': '0' }).end();
    case 'GET': {
      const connection = connections.describe(connectionId);
      if (!connection) return gone(response);
      const payload = JSON.stringify({
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
      return void response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }).end(payload);
    }
    case 'DELETE':
      if (connections.disconnect(connectionId) === 'gone') return gone(response);
      return void response.writeHead(204).end();
    default:
      return answer(response, 405, 'MethodNotAllowedException', 'Method Not Allowed');
  }
}

function gone(response: ServerResponse): void {
  answer(response, 410, 'GoneException', 'The connection is gone.');
}

/** Errors the way API Gateway's REST-JSON APIs send them: the type in `x-amzn-ErrorType`, the message in the body. */
function answer(response: ServerResponse, status: number, type: string, message: string): void {
  if (response.headersSent) return void response.end();
  const payload = JSON.stringify({ message });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-amzn-errortype': type }).end(payload);
}

/** The body, or 'too-large' past `limit` (read to its end, kept no further). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? 'too-large' : Buffer.concat(chunks);
}
