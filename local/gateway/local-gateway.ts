/**
 * The local stand-in for API Gateway's HTTP API, built from the same route table: it answers CORS
 * preflights, throttles with the stage's token bucket, checks tokens on 🔒 routes with the JWT
 * authorizer's rules (signature, issuer, client id, token_use, expiry, scope), builds payload-v2.0
 * events and calls the route's function in the local Lambda runtime. The responses API Gateway
 * makes itself (401, 429, 413, 500) carry its fixed bodies and `apigw-requestid`; all but the
 * authorizer's 401 and throttling's 429 carry `x-request-id` too (the contract: every response does),
 * as do preflights and the local-only routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessTokenVerifier } from '../../functions/adapters/access-token-verifier.js';
import { CORS, GATEWAY_MAX_BODY_BYTES, GATEWAY_RESPONSES } from '../../lib/api/api-settings.js';
import type { AuthMode } from '../../functions/contract/operation.js';
import { bearerToken } from '../../functions/shared/bearer-token.js';
import { buildHttpApiEvent, newRequestId } from './http-api-event.js';
import { RouteMatcher, type MatchableRoute } from './route-matcher.js';
import { TokenBucket } from './token-bucket.js';

export type GatewayRoute = {
  functionName: string;
  auth: AuthMode;
  /** This route's own throttle, in place of the stage's (API Gateway route settings). */
  throttle?: { rateLimit: number; burstLimit: number };
};

/** Takes an HTTP upgrade (local mode's WebSocket API on /realtime), or returns false. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Answers a request itself (local-only routes such as /_local/outbox), or returns false. */
export type LocalRouteHandler = (request: IncomingMessage, response: ServerResponse, body: Buffer, requestId: string) => Promise<boolean>;

/** The gateway's own answers that carry API Gateway's request id alone, as the contract says. */
const WITHOUT_X_REQUEST_ID: ReadonlySet<number> = new Set([GATEWAY_RESPONSES.unauthorized.status, GATEWAY_RESPONSES.throttled.status]);

export type LocalGatewayOptions = {
  routes: readonly MatchableRoute<GatewayRoute>[];
  defaultRoute: GatewayRoute;
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  verifier: AccessTokenVerifier;
  allowedOrigins: readonly string[];
  localRoutes?: LocalRouteHandler;
  /** WebSocket upgrades; any other upgrade is answered 404. */
  upgrade?: UpgradeHandler;
  /** The stage's token bucket (lambase.config.ts `api.throttle`). */
  throttle: { rateLimit: number; burstLimit: number };
  log?: (line: string) => void;
};

type ApiGatewayResult = {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
};

export class LocalGateway {
  private server: Server | undefined;
  private readonly matcher: RouteMatcher<GatewayRoute>;
  private readonly bucket: TokenBucket;

  constructor(private readonly options: LocalGatewayOptions) {
    this.matcher = new RouteMatcher(options.routes, options.defaultRoute);
    this.bucket = new TokenBucket(options.throttle.rateLimit, options.throttle.burstLimit);
  }

  private readonly routeBuckets = new Map<string, TokenBucket>();

  /** A route with its own throttle has its own bucket; every other route shares the stage's. */
  private bucketFor(routeKey: string, route: GatewayRoute): TokenBucket {
    if (!route.throttle) return this.bucket;
    let bucket = this.routeBuckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(route.throttle.rateLimit, route.throttle.burstLimit);
      this.routeBuckets.set(routeKey, bucket);
    }
    return bucket;
  }

  /** Listens on 127.0.0.1:`port` (0 picks a free port); resolves with the base URL. */
  async start(port: number): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => {
        this.options.log?.(`gateway error: ${error.stack ?? error.message}`);
        if (!response.headersSent) this.sendGateway(response, 500, { message: 'Internal Server Error' }, newRequestId(), request);
        else response.end();
      });
    });
    server.keepAliveTimeout = 5_000;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.options.upgrade?.(request, socket, head)) return;
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');

    // Local-only routes answer their own preflights: they allow pages on this machine only.
    const local = this.options.localRoutes && url.pathname.startsWith('/_local/') ? this.options.localRoutes : undefined;
    if (!local && method === 'OPTIONS' && request.headers.origin && request.headers['access-control-request-method']) {
      return this.answerPreflight(request, response, requestId);
    }
    const body = await readBody(request, GATEWAY_MAX_BODY_BYTES);
    if (body === 'too-large') return this.sendGateway(response, 413, GATEWAY_RESPONSES.tooLarge.body, requestId, request);
    if (local && (await local(request, response, body, requestId))) return;
    const match = this.matcher.match(method, url.pathname);
    if (!this.bucketFor(match.routeKey, match.target).take()) {
      return this.sendGateway(response, 429, GATEWAY_RESPONSES.throttled.body, requestId, request);
    }
    let claims: Record<string, unknown> | undefined;
    if (match.target.auth === 'required') {
      claims = await this.authorize(request.headers.authorization);
      if (!claims) return this.sendGateway(response, 401, GATEWAY_RESPONSES.unauthorized.body, requestId, request);
    }
    const event = buildHttpApiEvent({
      method,
      path: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: request.headers,
      body,
      routeKey: match.routeKey,
      pathParameters: match.pathParameters,
      claims,
      scopes: claims ? String(claims.scope ?? '').split(' ').filter(Boolean) : undefined,
      sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, ''),
      requestId,
    });
    let result: unknown;
    try {
      result = await this.options.invoke(match.target.functionName, event);
    } catch (error) {
      this.options.log?.(`${match.routeKey}: ${(error as Error).message}`);
      return this.sendGateway(response, 500, { message: 'Internal Server Error' }, requestId, request);
    }
    this.sendResult(response, toResult(result), requestId, request);
  }

  /**
   * The JWT authorizer's checks (the verifier's); claims when the token passes, undefined when it
   * does not. Like API Gateway's, the header may hold `Bearer <token>` or the token alone.
   */
  private async authorize(header: string | undefined): Promise<Record<string, unknown> | undefined> {
    const token = bearerToken(header) ?? header?.trim();
    if (!token) return undefined;
    return this.options.verifier.verify(token).catch(() => undefined);
  }

  private allowOrigin(origin: string | undefined): string | undefined {
    if (!origin) return undefined;
    if (this.options.allowedOrigins.includes('*')) return '*';
    return this.options.allowedOrigins.includes(origin) ? origin : undefined;
  }

  private answerPreflight(request: IncomingMessage, response: ServerResponse, requestId: string): void {
    const origin = this.allowOrigin(request.headers.origin);
    const headers: Record<string, string> = { 'apigw-requestid': requestId, 'x-request-id': requestId };
    if (origin) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-methods'] = CORS.allowMethods.join(',');
      headers['access-control-allow-headers'] = CORS.allowHeaders.join(',');
      headers['access-control-max-age'] = String(CORS.maxAgeSeconds);
      if (origin !== '*') headers.vary = 'origin';
    }
    response.writeHead(204, headers).end();
  }

  private corsHeaders(request: IncomingMessage): Record<string, string> {
    const origin = this.allowOrigin(request.headers.origin);
    if (!origin) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': CORS.exposeHeaders.join(','),
      ...(origin !== '*' ? { vary: 'origin' } : {}),
    };
  }

  private sendGateway(response: ServerResponse, status: number, body: object, requestId: string, request: IncomingMessage): void {
    const payload = JSON.stringify(body);
    response
      .writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'apigw-requestid': requestId,
        ...(WITHOUT_X_REQUEST_ID.has(status) ? {} : { 'x-request-id': requestId }),
        ...this.corsHeaders(request),
      })
      .end(payload);
  }

  private sendResult(response: ServerResponse, result: ApiGatewayResult, requestId: string, request: IncomingMessage): void {
    const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    const headers: Record<string, string | string[]> = {
      ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([key, value]) => [key.toLowerCase(), String(value)])),
      'content-length': String(body.length),
      'apigw-requestid': requestId,
      ...this.corsHeaders(request),
    };
    if (result.cookies?.length) headers['set-cookie'] = result.cookies;
    response.writeHead(result.statusCode ?? 200, headers).end(body);
  }
}

/**
 * Payload v2 response rules: a result with `statusCode` is used as given; anything else is a 200
 * whose JSON is the body.
 */
function toResult(result: unknown): ApiGatewayResult {
  if (result && typeof result === 'object' && 'statusCode' in result) return result as ApiGatewayResult;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof result === 'string' ? result : JSON.stringify(result),
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
