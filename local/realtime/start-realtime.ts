/**
 * Local mode's realtime API, built from the realtime route table: the WebSocket API the gateway
 * hands its `/realtime` upgrades to, and the `@connections` endpoint functions post frames to.
 *
 * @example
 * const realtime = await startRealtime({ routes: realtimeRoutes, invoke: (name, event) => runtime.invoke(name, event) });
 * await startGateway({ …, upgrade: (request, socket, head) => realtime.upgrade(request, socket, head) });
 * // functions get LAMBASE_REALTIME_ENDPOINT = realtime.endpoint
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { routeFunctionName, type RealtimeRouteDefinition } from '../../lib/routes.js';
import { startConnectionsApi } from './connections-api.js';
import { LocalWebSocketApi, type RealtimeLimits, type Timers } from './local-websocket-api.js';

export type StartRealtimeOptions = {
  routes: readonly RealtimeRouteDefinition[];
  /** Runs a route's function (the local Lambda runtime's invoke). */
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** @default API Gateway's (2 h, 10 min idle, 32 KiB frames) */
  limits?: Partial<RealtimeLimits>;
  timers?: Timers;
  /** Called when a connection is accepted (local mode warms the fan-out then). */
  onConnected?: () => void;
  log?: (line: string) => void;
};

export type LocalRealtime = {
  /** The `@connections` endpoint (what `LAMBASE_REALTIME_ENDPOINT` names). */
  endpoint: string;
  /** Takes a `/realtime` upgrade from the gateway; false for other paths. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Open connections. */
  readonly connections: number;
  /** Closes every connection, then the `@connections` endpoint. Idempotent (local mode stops it before its gateway too). */
  stop(): Promise<void>;
};

export async function startRealtime(options: StartRealtimeOptions): Promise<LocalRealtime> {
  const api = new LocalWebSocketApi({
    routes: options.routes.map((route) => ({ routeKey: route.routeKey, functionName: routeFunctionName(route), returnResponse: route.returnResponse })),
    invoke: options.invoke,
    limits: options.limits,
    timers: options.timers,
    onConnected: options.onConnected,
    log: options.log,
  });
  const connectionsApi = await startConnectionsApi(api);
  let stopping: Promise<void> | undefined;
  return {
    endpoint: connectionsApi.endpoint,
    upgrade: (request, socket, head) => api.upgrade(request, socket, head),
    get connections() {
      return api.size;
    },
    stop: () =>
      (stopping ??= (async () => {
        await api.stop();
        await connectionsApi.stop();
      })()),
  };
}
