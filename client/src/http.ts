/**
 * Every HTTP call goes through `request`: the bearer token (refreshed before expiry, and once
 * after a 401), the contract's error body mapped to `LambaseError`, and retries with backoff for
 * the calls that are safe to repeat. Creates send one `Idempotency-Key` per call, reused by every
 * retry of it, so the server writes once however often the network fails.
 */
import { errorFromResponse, errorWithoutResponse, LambaseError } from './errors.js';
import type { SessionManager } from './session.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RetryOptions = {
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** The first backoff; each retry doubles it, with jitter. @default 300 */
  baseDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
};

/** What every call accepts. */
export type CallOptions = {
  /** Aborting rejects the call with `LambaseError` `Aborted`. */
  signal?: AbortSignal;
};

export type RequestSpec = CallOptions & {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** `required`: fail fast without a session. `optional`: send the token when signed in. @default 'optional' */
  auth?: 'required' | 'optional' | 'none';
  /** Safe to repeat after a 5xx or a network failure. @default true for GET, PUT and DELETE */
  idempotent?: boolean;
  /** Send an `Idempotency-Key` (a create): the call becomes safe to repeat. */
  create?: boolean;
};

export type Http = {
  request<T>(spec: RequestSpec): Promise<T>;
  session: SessionManager;
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
};

const REPEATABLE_METHODS = new Set<HttpMethod>(['GET', 'PUT', 'DELETE']);

export function createHttp(options: { baseUrl: string; fetch: typeof fetch; session: SessionManager; retry?: RetryOptions }): Http {
  const { baseUrl, session } = options;
  const retry = { retries: 3, baseDelayMs: 300, maxDelayMs: 5000, ...options.retry };

  async function request<T>(spec: RequestSpec): Promise<T> {
    const auth = spec.auth ?? 'optional';
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.create) headers['idempotency-key'] = idempotencyKey();
    const repeatable = spec.create || (spec.idempotent ?? REPEATABLE_METHODS.has(spec.method));
    const url = baseUrl + spec.path + queryString(spec.query);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    let refreshedAfter401 = false;
    /** The previous attempt may have been done without its answer reaching us. */
    let maybeDone = false;

    for (let attempt = 0; ; attempt++) {
      const token = auth === 'none' ? undefined : (await session.get())?.accessToken;
      if (auth === 'required' && !token) {
        throw new LambaseError({ status: 401, code: 'Unauthorized', message: 'Sign in first: this call needs a session' });
      }
      let response: Response;
      try {
        response = await options.fetch(url, {
          method: spec.method,
          headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
          body,
          signal: spec.signal,
        });
      } catch (cause) {
        const error = errorWithoutResponse(cause, spec.signal);
        if (error.code === 'Aborted' || !repeatable || attempt >= retry.retries) throw error;
        maybeDone = true;
        await backoff(retry, attempt, undefined, spec.signal);
        continue;
      }
      if (response.ok) return (await readBody(response)) as T;
      // A repeated delete that finds nothing: the lost attempt did it.
      if (response.status === 404 && spec.method === 'DELETE' && maybeDone) return undefined as T;
      const error = await errorFromResponse(response);
      // The token was refused (expired early, revoked): refresh once, shared with concurrent calls.
      if (response.status === 401 && token && !refreshedAfter401) {
        refreshedAfter401 = true;
        attempt--;
        if (await session.refresh(token).catch(() => null)) continue;
      }
      const retryable = response.status === 429 || (response.status >= 500 && repeatable);
      if (!retryable || attempt >= retry.retries) throw error;
      maybeDone ||= response.status >= 500;
      await backoff(retry, attempt, response.headers.get('retry-after'), spec.signal);
    }
  }

  return { request, session, fetch: options.fetch, retry };
}

async function readBody(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  } catch (cause) {
    // A proxy's page instead of JSON, or a connection cut mid-body.
    throw new LambaseError({ status: response.status, code: 'Internal', message: 'The answer could not be read', cause });
  }
}

function queryString(query: RequestSpec['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** 22 URL-safe characters from 16 random bytes (the contract allows 1–64). */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Exponential backoff with full jitter; a server's `Retry-After` (seconds) wins when it is longer. */
export function backoff(retry: Required<RetryOptions>, attempt: number, retryAfter: string | null | undefined, signal?: AbortSignal): Promise<void> {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  const jittered = exponential / 2 + (Math.random() * exponential) / 2;
  const serverSays = Number(retryAfter) * 1000;
  return sleep(Number.isFinite(serverSays) && serverSays > jittered ? Math.min(serverSays, 30_000) : jittered, signal);
}

/** Waits, or rejects with `Aborted` as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(errorWithoutResponse(undefined, signal));
    };
    if (signal?.aborted) return aborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
