/**
 * Lambda's `Invoke` API (POST /2015-03-31/functions/{name}/invocations) in front of the local
 * runtime, so code that calls Lambda itself — the event dispatcher handing events to user
 * functions — runs unchanged: functions get `AWS_ENDPOINT_URL_LAMBDA` pointing here.
 *
 * - `X-Amz-Invocation-Type: Event` answers 202 at once and runs the function as Lambda runs an
 *   asynchronous event: retried twice (1 s, then 2 s later), then the failure destination.
 * - `RequestResponse` (the default) answers 200 with the result, or with `X-Amz-Function-Error`.
 * - `DryRun` answers 204. An unknown function is 404 `ResourceNotFoundException`, a payload that is
 *   not JSON 400 `InvalidRequestContentException`, one over Lambda's limit 413.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AsyncInvoker } from '../events/async-invoker.js';
import { FunctionError, type LocalLambdaRuntime } from './lambda-runtime.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's payload limits: 1 MB for asynchronous events, 6 MB for synchronous calls. */
const MAX_PAYLOAD_BYTES = { Event: 1024 * 1024, RequestResponse: 6 * 1024 * 1024 } as const;

export type LambdaInvokeServerOptions = {
  runtime: Pick<LocalLambdaRuntime, 'has' | 'invoke'>;
  /** Runs `Event` invocations with Lambda's retries and failure destination. */
  asyncInvoker: AsyncInvoker;
};

export class LambdaInvokeServer {
  private server: Server | undefined;

  constructor(private readonly options: LambdaInvokeServerOptions) {}

  /** Listens on 127.0.0.1 (a free port); resolves with the endpoint URL. */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      // An error here must answer the request, never become an unhandled rejection (which ends `npm start`).
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) send(response, 500, { Type: 'Service', message: error.message }, 'ServiceException');
        else response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    // A name, a partial or a full ARN, with or without a qualifier: the name is the part after "function:".
    const name = match ? functionNameOf(match[1]!) : undefined;
    if (request.method !== 'POST' || !name || !this.options.runtime.has(name)) {
      return send(response, 404, { Type: 'User', message: `Function not found: ${name ?? request.url}` }, 'ResourceNotFoundException');
    }
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type !== 'Event' && type !== 'RequestResponse' && type !== 'DryRun') {
      return send(response, 400, { Type: 'User', message: `Unknown invocation type ${type}` }, 'InvalidParameterValueException');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (type === 'DryRun') return send(response, 204);
    if (body.length > MAX_PAYLOAD_BYTES[type]) {
      return send(response, 413, { Type: 'User', message: `The payload is ${body.length} bytes; the limit is ${MAX_PAYLOAD_BYTES[type]}.` }, 'RequestTooLargeException');
    }
    let payload: unknown = {};
    try {
      if (body.length) payload = JSON.parse(body.toString('utf8'));
    } catch {
      // Lambda refuses a payload that is not JSON before running anything.
      return send(response, 400, { Type: 'User', message: 'Could not parse request body into json: the payload is not valid JSON' }, 'InvalidRequestContentException');
    }
    if (type === 'Event') {
      void this.options.asyncInvoker.invoke(name, payload, () => this.options.runtime.invoke(name, payload));
      return send(response, 202);
    }
    try {
      const result = await this.options.runtime.invoke(name, payload);
      send(response, 200, result ?? null, undefined, { 'x-amz-executed-version': '$LATEST' });
    } catch (error) {
      const failure = error instanceof FunctionError ? error : new FunctionError(name, 'Error', (error as Error).message);
      send(response, 200, { errorType: failure.errorType, errorMessage: failure.errorMessage }, undefined, { 'x-amz-function-error': 'Unhandled' });
    }
  }
}

function send(response: ServerResponse, status: number, body?: unknown, errorType?: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    ...headers,
  });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

function functionNameOf(segment: string): string | undefined {
  try {
    const decoded = decodeURIComponent(segment);
    const afterFunction = /(?:^|:)function:([^:]+)/.exec(decoded);
    return afterFunction ? afterFunction[1] : decoded.split(':')[0];
  } catch {
    return undefined;
  }
}
