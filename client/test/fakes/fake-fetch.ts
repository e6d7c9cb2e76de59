/** A scripted `fetch`: each call is recorded, and answered by the test's function. */
export type RecordedCall = {
  method: string;
  url: string;
  /** The path and query, without the origin. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal | undefined;
};

export type Answer = Response | Error | Promise<Response | Error>;

export function fakeFetch(answer: (call: RecordedCall, index: number) => Answer) {
  const calls: RecordedCall[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const call: RecordedCall = { method: init.method ?? 'GET', url, path: url.replace(/^[a-z]+:\/\/[^/]+/, ''), headers, body, signal: init.signal ?? undefined };
    calls.push(call);
    if (init.signal?.aborted) throw init.signal.reason;
    const result = await answer(call, calls.length - 1);
    if (result instanceof Error) throw result;
    return result;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', ...headers } });

export const noContent = () => new Response(null, { status: 204 });

/** What undici's fetch throws when the connection fails. */
export const networkFailure = () => new TypeError('fetch failed');

/** An unsigned JWT with these claims (the client reads claims, the server checks signatures). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

let counter = 0;

/** A sign-in answer for a user; each call's access token is distinct. */
export function tokenAnswer(options: { expiresIn?: number; sub?: string; email?: string; groups?: string[] } = {}) {
  counter++;
  return {
    accessToken: `access-${counter}`,
    idToken: fakeJwt({ sub: options.sub ?? 'user-1', email: options.email ?? 'ada@example.com', 'cognito:groups': options.groups }),
    refreshToken: `refresh-${counter}`,
    expiresIn: options.expiresIn ?? 3600,
    tokenType: 'Bearer',
  };
}

/** A refresh answer (no new refresh token). */
export function refreshAnswer(expiresIn = 3600) {
  const { accessToken, idToken } = tokenAnswer();
  return { accessToken, idToken, expiresIn, tokenType: 'Bearer' };
}

/** Lets every pending promise and I/O callback run (a real setImmediate, even under fake timers). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
