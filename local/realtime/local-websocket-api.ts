/**
 * The local stand-in for API Gateway's WebSocket API, built from the realtime route table: it
 * takes WebSocket upgrades on the gateway's `/realtime`, runs `$connect` before accepting (a
 * non-2xx answer refuses the handshake with that status), `$default` for every frame (sending a
 * route response back when the route has one) and `$disconnect` once the connection is gone, each
 * with API Gateway's event shape (./websocket-event.ts). It enforces API Gateway's limits: 2 hours
 * per connection and 10 minutes without a client frame (both closed with 1001 "Going away"), and
 * frames of at most 32 KiB (larger: closed with 1009, as API Gateway does). Binary frames reach
 * `$default` base64-encoded, as in the cloud, where the handler refuses them.
 *
 * Connections are also what the local `@connections` API (./connections-api.ts) posts to.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { IDLE_TIMEOUT_SECONDS, MAX_CONNECTION_SECONDS, MAX_FRAME_BYTES } from '../../functions/core/realtime/realtime-protocol.js';
import { LOCAL_REALTIME_PATH } from '../../lib/realtime/realtime-settings.js';
import type { RealtimeRouteKey } from '../../lib/route-types.js';
import { buildWebSocketEvent, newConnectionId, type WebSocketConnectionInfo } from './websocket-event.js';

export type RealtimeLimits = { maxConnectionMs: number; idleMs: number; maxFrameBytes: number };

/** API Gateway's WebSocket limits (docs: "Quotas for configuring and running a WebSocket API"). */
export const API_GATEWAY_WEBSOCKET_LIMITS: RealtimeLimits = {
  maxConnectionMs: MAX_CONNECTION_SECONDS * 1000,
  idleMs: IDLE_TIMEOUT_SECONDS * 1000,
  maxFrameBytes: MAX_FRAME_BYTES,
};

/** Schedules `run` after `ms`; returns what cancels it. Tests pass their own to move time by hand. */
export type Timers = { schedule(ms: number, run: () => void): () => void };

export const systemTimers: Timers = {
  schedule(ms, run) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export type WebSocketRouteTarget = { routeKey: RealtimeRouteKey; functionName: string; returnResponse?: boolean };

export type LocalWebSocketApiOptions = {
  routes: readonly WebSocketRouteTarget[];
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  limits?: Partial<RealtimeLimits>;
  timers?: Timers;
  /** Called when a connection is accepted. */
  onConnected?: () => void;
  log?: (line: string) => void;
};

type LiveConnection = { ws: WebSocket; info: WebSocketConnectionInfo; lastActiveAt: number; cancelIdle: () => void; cancelLifetime: () => void };

/** What the `@connections` API can do to a connection. */
export type ConnectionRegistry = {
  post(connectionId: string, data: Buffer): 'sent' | 'gone';
  describe(connectionId: string): { connectedAt: number; lastActiveAt: number; sourceIp: string; userAgent: string } | undefined;
  disconnect(connectionId: string): 'closed' | 'gone';
};

/** API Gateway's frame to the client when a route's integration fails. */
const INTEGRATION_FAILED = 'Internal server error';

export class LocalWebSocketApi implements ConnectionRegistry {
  private readonly server: WebSocketServer;
  private readonly connections = new Map<string, LiveConnection>();
  private readonly limits: RealtimeLimits;
  private readonly timers: Timers;
  private readonly routes: Map<RealtimeRouteKey, WebSocketRouteTarget>;
  private stopped = false;

  constructor(private readonly options: LocalWebSocketApiOptions) {
    this.limits = { ...API_GATEWAY_WEBSOCKET_LIMITS, ...options.limits };
    this.timers = options.timers ?? systemTimers;
    this.routes = new Map(options.routes.map((route) => [route.routeKey, route]));
    // API Gateway does not negotiate compression; frames larger than the limit close the connection (1009).
    this.server = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxFrameBytes, perMessageDeflate: false });
  }

  /** Open connections. */
  get size(): number {
    return this.connections.size;
  }

  /** Takes an HTTP upgrade for `/realtime`; false for any other path (the caller refuses it). */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== LOCAL_REALTIME_PATH) return false;
    void this.connect(request, socket, head, url).catch((error: Error) => {
      this.options.log?.(`realtime: $connect failed: ${error.message}`);
      refuse(socket, 500);
    });
    return true;
  }

  post(connectionId: string, data: Buffer): 'sent' | 'gone' {
    const connection = this.connections.get(connectionId);
    if (!connection || connection.ws.readyState !== connection.ws.OPEN) return 'gone';
    connection.ws.send(data, { binary: false });
    return 'sent';
  }

  describe(connectionId: string) {
    const connection = this.connections.get(connectionId);
    if (!connection) return undefined;
    const { info, lastActiveAt } = connection;
    return { connectedAt: info.connectedAt, lastActiveAt, sourceIp: info.sourceIp, userAgent: info.userAgent };
  }

  disconnect(connectionId: string): 'closed' | 'gone' {
    const connection = this.connections.get(connectionId);
    if (!connection) return 'gone';
    connection.ws.close(1000, '');
    return 'closed';
  }

  /** Closes every connection (1001 "Going away"), without waiting for their `$disconnect`. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const connection of this.connections.values()) connection.ws.close(1001, 'Going away');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async connect(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    if (this.stopped) return refuse(socket, 503);
    const info: WebSocketConnectionInfo = {
      connectionId: newConnectionId(),
      connectedAt: Date.now(),
      domainName: request.headers.host ?? '127.0.0.1',
      sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
    };
    const route = this.routes.get('$connect');
    if (route) {
      const result = await this.options.invoke(route.functionName, buildWebSocketEvent({ route: '$connect', connection: info, headers: request.headers, query: url.searchParams }));
      const status = statusOf(result);
      if (status < 200 || status > 299) return refuse(socket, status);
    }
    if (socket.destroyed) return this.disconnected(info, 1006, '');
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws, info));
  }

  private accept(ws: WebSocket, info: WebSocketConnectionInfo): void {
    const close = () => ws.close(1001, 'Going away');
    const connection: LiveConnection = {
      ws,
      info,
      lastActiveAt: Date.now(),
      cancelIdle: this.timers.schedule(this.limits.idleMs, close),
      cancelLifetime: this.timers.schedule(this.limits.maxConnectionMs, close),
    };
    this.connections.set(info.connectionId, connection);
    this.options.onConnected?.();
    ws.on('message', (data, isBinary) => {
      connection.lastActiveAt = Date.now();
      connection.cancelIdle();
      connection.cancelIdle = this.timers.schedule(this.limits.idleMs, close);
      void this.message(connection, data, isBinary);
    });
    ws.on('close', (code, reason) => {
      connection.cancelIdle();
      connection.cancelLifetime();
      this.connections.delete(info.connectionId);
      void this.disconnected(info, code, reason.toString());
    });
    ws.on('error', (error) => this.options.log?.(`realtime: connection ${info.connectionId}: ${error.message}`));
  }

  /** Frames of one connection run concurrently, as in API Gateway (no order between two frames' answers). */
  private async message(connection: LiveConnection, data: RawData, isBinary: boolean): Promise<void> {
    const route = this.routes.get('$default');
    if (!route) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const event = buildWebSocketEvent({ route: '$default', connection: connection.info, body: isBinary ? bytes : bytes.toString('utf8') });
    let result: unknown;
    try {
      result = await this.options.invoke(route.functionName, event);
    } catch (error) {
      if (this.stopped) return;
      this.options.log?.(`realtime: $default failed: ${(error as Error).message}`);
      const { connectionId, requestId } = event.requestContext;
      return this.send(connection, JSON.stringify({ message: INTEGRATION_FAILED, connectionId, requestId }));
    }
    const body = (result as { body?: unknown } | null)?.body;
    if (route.returnResponse && typeof body === 'string') this.send(connection, body);
  }

  private send(connection: LiveConnection, text: string): void {
    if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(text);
  }

  private async disconnected(info: WebSocketConnectionInfo, statusCode: number, reason: string): Promise<void> {
    const route = this.routes.get('$disconnect');
    if (!route || this.stopped) return;
    await this.options
      .invoke(route.functionName, buildWebSocketEvent({ route: '$disconnect', connection: info, statusCode, reason }))
      .catch((error: Error) => {
        // Local mode stops its functions first: a $disconnect cut short then is no failure.
        if (!this.stopped && error.name !== 'RuntimeStoppedError') this.options.log?.(`realtime: $disconnect failed: ${error.message}`);
      });
  }
}

/** A Lambda proxy result's status (a result without one counts as 200, as API Gateway reads it). */
function statusOf(result: unknown): number {
  const status = (result as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : 200;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Answers the handshake with `status` instead of switching protocols. */
function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
