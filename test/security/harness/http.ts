/**
 * The suite's HTTP client and the contract's answer shapes.
 *
 * `send` is raw on purpose — node:http, not fetch, so a path goes out byte for byte (`..`, `%00`,
 * bad percent-encodings unnormalized) with any header and body bytes — and waits out the gateway's
 * throttling like a well-behaved client: the public auth routes keep their tight throttle (5/s) in
 * the suite, and a 429 there says nothing about the request itself.
 */
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';

export type Request = {
  method: string;
  /** Sent as is: the caller encodes what it wants encoded (or not). */
  path: string;
  headers?: Record<string, string>;
  /** JSON-encoded unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Uint8Array;
  /** `Authorization: Bearer <token>`. */
  token?: string;
};

export type Response = {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  /** The body as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
};

const GATEWAY_THROTTLE_BODY = '{"message":"Too Many Requests"}';

export async function send(baseUrl: string, request: Request): Promise<Response> {
  const headers: Record<string, string> = {};
  if (request.body !== undefined && request.rawBody === undefined) headers['content-type'] = 'application/json';
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  Object.assign(headers, request.headers);
  const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  // Every real client says how long its body is (without it, a GET's body would be read as the next request).
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  for (let attempt = 0; ; attempt++) {
    const response = await exchangeOnce(baseUrl, request.method, request.path, headers, body);
    const text = response.body.toString('utf8');
    if (response.status === 429 && text === GATEWAY_THROTTLE_BODY && attempt < 50) {
      await delay(250);
      continue;
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: { get: (name) => response.headers[name.toLowerCase()] ?? null }, text, json };
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/**
 * One exchange, sent again once if it went out on a kept-alive socket that the server had just
 * closed for idleness (the gateway's keep-alive timeout racing our reuse): that request never
 * reached a handler, so the server saw nothing. Node's own advice for keep-alive agents
 * (`request.reusedSocket`); any other failure, or the same one on a fresh socket, is the answer.
 */
async function exchangeOnce(...args: Parameters<typeof exchange>): ReturnType<typeof exchange> {
  try {
    return await exchange(...args);
  } catch (error) {
    if (error instanceof StaleSocketError) return exchange(...args);
    throw error;
  }
}

class StaleSocketError extends Error {}

function exchange(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = httpRequest({ host: hostname, port, method, path, headers, agent }, (incoming) => {
      answered = true;
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const flat = Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
        resolve({ status: incoming.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      incoming.on('error', reject);
    });
    // A server may answer (413) before reading the whole body, then close: the answer is what counts.
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      reject(outgoing.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocketError(error.message, { cause: error }) : error);
    });
    outgoing.end(body);
  });
}

/** The answers API Gateway makes itself, in its own fixed shape (the contract allows these). */
const GATEWAY_BODIES: Record<number, string> = {
  401: '{"message":"Unauthorized"}',
  413: '{"message":"Request Entity Too Large"}',
  429: GATEWAY_THROTTLE_BODY,
};

/**
 * A refusal in the contract's words: a 4xx whose body is `{ error: { code, message, requestId } }`
 * with the response's own request id — or one of the gateway's fixed answers.
 */
export function expectContractRefusal(response: Response, context: string): void {
  expect(response.status, `${context}: ${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${context}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
  if (GATEWAY_BODIES[response.status] === response.text) {
    expect(response.headers.get('apigw-requestid'), context).toBeTruthy();
    return;
  }
  // A request line or headers past the HTTP server's size limit (16 KiB in Node; API Gateway's is
  // 10 KiB) are refused before any route is looked up, by the server itself, with no body.
  if ((response.status === 431 || response.status === 414) && response.text === '') return;
  expectErrorBody(response, context);
}

/** The contract's error body, with no stack trace or AWS internals. */
export function expectErrorBody(response: Response, context: string): void {
  const requestId = response.headers.get('x-request-id');
  expect(requestId, `${context}: x-request-id`).toBeTruthy();
  expect(response.json, `${context}: ${response.text.slice(0, 300)}`).toMatchObject({
    error: { code: expect.any(String), message: expect.any(String), requestId },
  });
  expect(response.text, context).not.toMatch(/\bat [\w.<>]+ \(|node_modules|Exception\b|\$metadata|arn:aws/);
}

/** A path segment as a client would send it. */
export const segment = (value: string) => encodeURIComponent(value);
