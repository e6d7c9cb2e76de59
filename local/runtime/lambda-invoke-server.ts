/**
 * The Lambda `Invoke` API (POST /2015-03-31/functions/{name}/invocations) in front of the local
 * runtime, so that services calling Lambda themselves — the local Cognito's user-pool triggers —
 * reach the same functions. A handler error answers like Lambda: 200 with X-Amz-Function-Error; a
 * payload that is not JSON: 400 InvalidRequestContentException.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FunctionError, type LocalLambdaRuntime } from './lambda-runtime.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export class LambdaInvokeServer {
  private server: Server | undefined;

  constructor(private readonly runtime: LocalLambdaRuntime) {}

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      // An error here must answer the request, never become an unhandled rejection (which ends `npm start`).
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
        response.end(JSON.stringify({ Type: 'Service', message: error.message }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const name = match ? safeDecode(match[1]!)?.split(':').at(-1) : undefined;
    if (request.method !== 'POST' || !name || !this.runtime.has(name)) {
      response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? request.url}` }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let payload: unknown = {};
    try {
      if (chunks.length) payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      // Lambda refuses a payload that is not JSON before running anything.
      response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidRequestContentException' });
      response.end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json: the payload is not valid JSON' }));
      return;
    }
    try {
      const result = await this.runtime.invoke(name, payload);
      response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
      response.end(JSON.stringify(result ?? null));
    } catch (error) {
      const failure = error instanceof FunctionError ? error : new FunctionError(name, 'Error', (error as Error).message);
      response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      response.end(JSON.stringify({ errorType: failure.errorType, errorMessage: failure.message }));
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
