/**
 * The part every service shares: where the backend is, the session and the HTTP transport.
 * `createClient` builds one with every service on it; an app that wants a smaller bundle builds
 * one with `createCore` and only the services it uses (`createAuth(core)`, `createFiles(core)`…).
 */
import { createHttp, type Http, type RetryOptions } from './http.js';
import type { Realtime } from './realtime.js';
import { createSessionManager, memoryStorage, type SessionStorage, type TokenAnswer } from './session.js';

/** The client config `npm run outputs` writes (`lambase.outputs.json`), version 1. */
export type LambaseOutputs = {
  /** 1; a number here so that `import outputs from './lambase.outputs.json'` type-checks. */
  version: number;
  stage?: string;
  apiUrl: string;
  /** The stack's `RealtimeUrl` (`wss://…`). */
  realtimeUrl?: string;
  region?: string;
  userPoolId?: string;
  userPoolClientId?: string;
  bucketName?: string;
};

export type CoreOptions = {
  /** The API's base URL: `http://127.0.0.1:4000` locally, the stack's `ApiUrl` in the cloud. */
  url?: string;
  /** Or the contents of `lambase.outputs.json`. */
  outputs?: LambaseOutputs;
  /** Where to keep the session: `memoryStorage()` (default), `localStorage`, or your own store. */
  storage?: SessionStorage;
  /** @default `lambase.session.<host>` */
  storageKey?: string;
  /** @default the platform's `fetch` */
  fetch?: typeof fetch;
  retry?: RetryOptions;
};

export type Core = {
  url: string;
  http: Http;
  /** Set by `createClient` (or by you, with `createRealtime`) for the `subscribe` methods. */
  realtime?: Realtime;
};

/**
 * The shared part of a client, for apps that compose only the services they use.
 *
 * @example
 * const core = createCore({ url: 'http://127.0.0.1:4000', storage: localStorage });
 * const auth = createAuth(core);
 * const notes = createCollection(core, 'notes');
 */
export function createCore(options: CoreOptions): Core {
  const url = apiUrlOf(options);
  const platformFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  // The session refreshes through the transport it also serves: tied once both exist.
  let http: Http | undefined;
  const session = createSessionManager({
    storage: options.storage ?? memoryStorage(),
    storageKey: options.storageKey ?? `lambase.session.${new URL(url).host}`,
    refresh: (refreshToken) =>
      http!.request<TokenAnswer>({ method: 'POST', path: '/auth/refresh', body: { refreshToken }, auth: 'none', idempotent: true }),
  });
  http = createHttp({ baseUrl: url, fetch: platformFetch, session, retry: options.retry });
  return { url, http };
}

function apiUrlOf(options: CoreOptions): string {
  if (options.outputs && options.outputs.version !== 1) {
    throw new TypeError(`lambase.outputs.json is version ${options.outputs.version}; this client reads version 1: update @lambase/client`);
  }
  const url = options.url ?? options.outputs?.apiUrl;
  if (!url || !/^https?:\/\//.test(url)) throw new TypeError('createClient needs { url: "http(s)://…" } or { outputs } from lambase.outputs.json');
  return url.replace(/\/+$/, '');
}

/** The realtime endpoint: given, from the outputs, or the API's own `/realtime` (local mode). */
export function realtimeUrlOf(options: CoreOptions & { realtimeUrl?: string }, apiUrl: string): string {
  return options.realtimeUrl ?? options.outputs?.realtimeUrl ?? `${apiUrl.replace(/^http/, 'ws')}/realtime`;
}
