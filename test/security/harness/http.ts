/**
 * The suite's HTTP client and the contract's answer shapes.
 *
 * `send` is raw on purpose (any method, path, header or body bytes, no encoding of its own) and
 * waits out the gateway's throttling like a well-behaved client: the public auth routes keep their
 * tight throttle (5/s) in the suite, and a 429 there says nothing about the request itself.
 */
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
  headers: Headers;
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
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${baseUrl}${request.path}`, { method: request.method, headers, body });
    const text = await response.text();
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
    return { status: response.status, headers: response.headers, text, json };
  }
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
