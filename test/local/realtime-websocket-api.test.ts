/**
 * Local mode's WebSocket API and `@connections` endpoint, behind the local gateway, driven by a real
 * WebSocket client (`ws`) and the real management API client: API Gateway's events and route
 * responses, its limits (2 hours, 10 minutes idle — on a clock the test moves — and 32 KiB frames),
 * and the management API's answers, 410 Gone included.
 */
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AccessTokenVerifier } from '../../functions/adapters/access-token-verifier.js';
import { ApiGatewayConnectionMessenger } from '../../functions/adapters/api-gateway-connection-messenger.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { LocalGateway } from '../../local/gateway/local-gateway.js';
import { startConnectionsApi, type ConnectionsApi } from '../../local/realtime/connections-api.js';
import { LocalWebSocketApi, type Timers } from '../../local/realtime/local-websocket-api.js';
import type { LocalWebSocketEvent } from '../../local/realtime/websocket-event.js';

/** Timers that fire only when the test moves time on. */
class ManualTimers implements Timers {
  private now = 0;
  private readonly tasks: { at: number; run: () => void; cancelled: boolean }[] = [];
  schedule(ms: number, run: () => void) {
    const task = { at: this.now + ms, run, cancelled: false };
    this.tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }
  advance(ms: number): void {
    this.now += ms;
    for (const task of this.tasks.filter((candidate) => !candidate.cancelled && candidate.at <= this.now)) {
      task.cancelled = true;
      task.run();
    }
  }
}

const MINUTE = 60_000;
const events: LocalWebSocketEvent[] = [];
const timers = new ManualTimers();
let gateway: LocalGateway;
let api: LocalWebSocketApi;
let connectionsApi: ConnectionsApi;
let url: string;

beforeAll(async () => {
  api = new LocalWebSocketApi({
    routes: [
      { routeKey: '$connect', functionName: 'connect' },
      { routeKey: '$default', functionName: 'message', returnResponse: true },
      { routeKey: '$disconnect', functionName: 'disconnect' },
    ],
    invoke: async (_name, event) => {
      const websocketEvent = event as LocalWebSocketEvent;
      events.push(websocketEvent);
      const { routeKey } = websocketEvent.requestContext;
      if (routeKey === '$connect') return { statusCode: websocketEvent.headers?.['x-refuse'] ? 403 : 200 };
      if (routeKey === '$default') {
        if (websocketEvent.body === 'crash') throw new Error('the function failed');
        return { statusCode: 200, body: JSON.stringify({ echo: websocketEvent.body, binary: websocketEvent.isBase64Encoded }) };
      }
      return { statusCode: 200 };
    },
    timers,
  });
  connectionsApi = await startConnectionsApi(api);
  gateway = new LocalGateway({
    routes: [],
    defaultRoute: { functionName: 'default', auth: 'none' },
    invoke: async () => ({ statusCode: 404 }),
    verifier: { verify: async () => Promise.reject(new Error('unused')) } as unknown as AccessTokenVerifier,
    allowedOrigins: ['*'],
    throttle: { rateLimit: 1_000, burstLimit: 1_000 },
    upgrade: (request, socket, head) => api.upgrade(request, socket, head),
  });
  url = `${(await gateway.start(0)).replace(/^http/, 'ws')}/realtime`;
});

afterAll(async () => {
  await api.stop();
  await connectionsApi.stop();
  await gateway.stop();
});

/** An open client socket that queues what it receives. */
async function open(headers: Record<string, string> = {}, path = url) {
  const ws = new WebSocket(path, { headers });
  const received: string[] = [];
  const waiting: ((frame: string) => void)[] = [];
  ws.on('message', (data) => {
    const text = String(data);
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else received.push(text);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
  const connectionId = events.findLast((event) => event.requestContext.routeKey === '$connect')!.requestContext.connectionId;
  return {
    ws,
    connectionId,
    closed,
    next: () => (received.length ? Promise.resolve(received.shift()!) : new Promise<string>((resolve) => waiting.push(resolve))),
  };
}

const disconnectOf = async (connectionId: string) => {
  await expect.poll(() => events.find((event) => event.requestContext.routeKey === '$disconnect' && event.requestContext.connectionId === connectionId)).toBeDefined();
  return events.find((event) => event.requestContext.routeKey === '$disconnect' && event.requestContext.connectionId === connectionId)!;
};

describe('the WebSocket API', () => {
  it('runs $connect with API Gateway\'s event before accepting, and refuses the handshake with the status it answers', async () => {
    await expect(open({ 'x-refuse': 'yes' })).rejects.toThrow('HTTP 403');
    const client = await open({ 'user-agent': 'test-agent' });
    const connect = events.findLast((event) => event.requestContext.routeKey === '$connect')!;
    expect(connect.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'realtime',
      connectionId: expect.stringMatching(/^[A-Za-z0-9]{14}=$/),
      connectedAt: expect.any(Number),
      requestId: expect.any(String),
      domainName: new URL(url).host,
      identity: { sourceIp: '127.0.0.1', userAgent: 'test-agent' },
    });
    expect(connect.headers).toMatchObject({ 'user-agent': 'test-agent' });
    expect(connect.isBase64Encoded).toBe(false);
    client.ws.close(1000, 'bye');
    expect((await disconnectOf(client.connectionId)).requestContext).toMatchObject({
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
      connectedAt: connect.requestContext.connectedAt,
    });
  });

  it('sends each frame to $default and its route response back; a failing function gets API Gateway\'s error frame', async () => {
    const client = await open();
    client.ws.send('{"type":"ping"}');
    expect(JSON.parse(await client.next())).toEqual({ echo: '{"type":"ping"}', binary: false });
    const message = events.findLast((event) => event.requestContext.routeKey === '$default')!;
    expect(message.requestContext).toMatchObject({ eventType: 'MESSAGE', connectionId: client.connectionId, messageId: expect.any(String) });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(JSON.parse(await client.next())).toEqual({ echo: Buffer.from([1, 2, 3]).toString('base64'), binary: true });
    client.ws.send('crash');
    expect(JSON.parse(await client.next())).toEqual({ message: 'Internal server error', connectionId: client.connectionId, requestId: expect.any(String) });
    client.ws.send('still open');
    expect(JSON.parse(await client.next())).toMatchObject({ echo: 'still open' });
    client.ws.close();
  });

  it('closes a connection after 10 minutes without a client frame, and any connection after 2 hours, with 1001', async () => {
    const idle = await open();
    const busy = await open();
    for (let elapsed = 0; elapsed < 115; elapsed += 5) {
      busy.ws.send('ping');
      await busy.next();
      if (elapsed === 5) {
        idle.ws.send('ping');
        await idle.next();
      }
      timers.advance(5 * MINUTE);
    }
    expect(await idle.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect((await disconnectOf(idle.connectionId)).requestContext.disconnectStatusCode).toBe(1001);
    expect(busy.ws.readyState).toBe(WebSocket.OPEN);
    busy.ws.send('ping');
    await busy.next();
    timers.advance(5 * MINUTE);
    expect(await busy.closed).toEqual({ code: 1001, reason: 'Going away' });
  });

  it('takes frames of up to 32 KiB and closes the connection (1009) on a larger one', async () => {
    const client = await open();
    client.ws.send('x'.repeat(32 * 1024));
    expect(JSON.parse(await client.next()).echo).toHaveLength(32 * 1024);
    client.ws.send('x'.repeat(32 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  it('answers an upgrade on any other path with 404', async () => {
    await expect(open({}, url.replace(/\/realtime$/, '/elsewhere'))).rejects.toThrow('HTTP 404');
  });
});

describe('the @connections API', () => {
  const client = () => new ApiGatewayManagementApiClient({ endpoint: connectionsApi.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });

  it('posts text frames, describes and deletes a connection, as API Gateway\'s management API does', async () => {
    const socket = await open({ 'user-agent': 'described' });
    const management = client();
    await management.send(new PostToConnectionCommand({ ConnectionId: socket.connectionId, Data: JSON.stringify({ type: 'pong' }) }));
    expect(await socket.next()).toBe('{"type":"pong"}');
    const described = await management.send(new GetConnectionCommand({ ConnectionId: socket.connectionId }));
    expect(described.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'described' });
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    await management.send(new DeleteConnectionCommand({ ConnectionId: socket.connectionId }));
    expect((await socket.closed).code).toBe(1000);
    await expect(management.send(new PostToConnectionCommand({ ConnectionId: socket.connectionId, Data: 'late' }))).rejects.toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    await expect(management.send(new GetConnectionCommand({ ConnectionId: 'never-was=' }))).rejects.toMatchObject({ name: 'GoneException' });
    management.destroy();
  });

  it('refuses a message over 128 KiB, and tells the production messenger a connection is gone', async () => {
    const socket = await open();
    const management = client();
    await expect(management.send(new PostToConnectionCommand({ ConnectionId: socket.connectionId, Data: 'x'.repeat(128 * 1024 + 1) }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 413 } });
    const messenger = new ApiGatewayConnectionMessenger(management);
    expect(await messenger.post(socket.connectionId, { type: 'pong' })).toBe('sent');
    expect(await socket.next()).toBe('{"type":"pong"}');
    socket.ws.close();
    await socket.closed;
    await expect.poll(() => messenger.post(socket.connectionId, { type: 'pong' })).toBe('gone');
    management.destroy();
  });
});
