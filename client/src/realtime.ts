/**
 * One WebSocket for the whole client (docs/api/realtime.md), opened with the first subscription and
 * closed with the last. After it opens it sends `auth` (and waits for the answer) before any
 * `subscribe`; it sends `auth` again whenever the session refreshes its token, and refreshes that
 * token before it expires so the server never drops the subscriptions. A lost connection is
 * reopened with backoff and every subscription sent again (delivery is at most once: `onSubscribed`
 * fires on each re-subscription, the moment to re-read). A `ping` every few minutes keeps the
 * connection under the server's 10-minute idle limit, and a missing `pong` counts as a lost connection.
 */
import { LambaseError, statusOf } from './errors.js';
import type { Http } from './http.js';
import { REFRESH_MARGIN_MS, type Session } from './session.js';
import type { Scalar } from './schema.js';

/** The part of the WebSocket API the client uses: the browser's, Node 22's, or the `ws` package's. */
export type WebSocketLike = {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
};
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type RealtimeOptions = {
  /** `ws(s)://…/realtime`. */
  url: string;
  /** @default the platform's `WebSocket` (browsers, Node ≥ 22); on Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /** @default 240000 (the server closes a connection after 10 minutes without a frame) */
  pingIntervalMs?: number;
  /** A `ping` unanswered this long means the connection is gone. @default 20000 */
  pongTimeoutMs?: number;
  /** First reconnect delay, doubled (with jitter) after each failed attempt. @default 500 */
  reconnectBaseMs?: number;
  /** @default 30000 */
  reconnectMaxMs?: number;
};

/** What a subscription listens to: a collection's documents, or the caller's inbox. */
export type RealtimeTarget = { collection: string; where?: Record<string, Scalar>; docId?: string } | { channel: 'notifications' };

export type SubscribeOptions = {
  /** The subscription ended on the server's side (e.g. access lost); it is not renewed. */
  onError?: (error: LambaseError) => void;
  /** Called each time the server confirms the subscription: first, and after every reconnect. */
  onSubscribed?: () => void;
  /** Aborting before the server confirms rejects with `Aborted`; after, it unsubscribes. */
  signal?: AbortSignal;
};

/** Stops a subscription. */
export type Unsubscribe = () => void;

type ServerFrame = { type: string; id?: string; code?: string; message?: string } & Record<string, unknown>;

type Entry = {
  id: string;
  target: RealtimeTarget;
  onFrame: (frame: ServerFrame) => void;
  options: SubscribeOptions;
  /** Settles `subscribe()`'s promise at the first answer. */
  confirm?: { resolve: () => void; reject: (error: LambaseError) => void };
  /** Already re-authenticated once after an `Unauthorized` ending. */
  renewed?: boolean;
};

export type Realtime = ReturnType<typeof createRealtime>;

const OPEN = 1;

/**
 * The realtime connection of a client composed by hand (`createClient` makes its own).
 *
 * @example
 * const core = createCore({ url });
 * core.realtime = createRealtime(core.http, { url: 'ws://127.0.0.1:4000/realtime' });
 * const notes = createCollection(core, 'notes');
 * const stop = await notes.subscribe({ pinned: true }, (change) => console.log(change));
 */
export function createRealtime(http: Http, options: RealtimeOptions) {
  const pingIntervalMs = options.pingIntervalMs ?? 240_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 20_000;
  const reconnectBaseMs = options.reconnectBaseMs ?? 500;
  const reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
  const entries = new Map<string, Entry>();
  let socket: WebSocketLike | undefined;
  /** Authenticated (or knowingly anonymous): subscriptions may be sent. */
  let ready = false;
  let failures = 0;
  let counter = 0;
  let authAnswered: (() => void) | undefined;
  let authenticating: { ws: WebSocketLike; done: Promise<void> } | undefined;
  let listening = false;
  const timers: Partial<Record<'ping' | 'pong' | 'refresh' | 'reconnect', ReturnType<typeof setTimeout>>> = {};

  const clear = (name: keyof typeof timers) => {
    clearTimeout(timers[name]);
    clearInterval(timers[name]);
    delete timers[name];
  };
  const send = (ws: WebSocketLike, frame: Record<string, unknown>) => ws.readyState === OPEN && ws.send(JSON.stringify(frame));
  const subscribeFrame = (entry: Entry) => ({ type: 'subscribe', id: entry.id, ...entry.target });

  function connect() {
    clear('reconnect');
    if (!listening) {
      listening = true;
      http.session.listen(onSessionChange);
    }
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Socket) throw new TypeError('No WebSocket here: pass createClient({ WebSocket }) (e.g. the `ws` package on Node 20)');
    const ws = new Socket(options.url);
    socket = ws;
    ready = false;
    ws.onopen = () => void start(ws);
    ws.onmessage = (event) => receive(event.data);
    ws.onclose = () => closed(ws);
    ws.onerror = () => {}; // a close follows
  }

  async function start(ws: WebSocketLike) {
    if (socket !== ws) return;
    timers.ping = setInterval(() => {
      send(ws, { type: 'ping' });
      timers.pong ??= setTimeout(() => {
        ws.close();
        closed(ws);
      }, pongTimeoutMs);
    }, pingIntervalMs);
    await authenticate(ws);
    if (socket !== ws) return;
    ready = true;
    for (const entry of entries.values()) send(ws, subscribeFrame(entry));
  }

  /**
   * Sends `auth` when signed in and waits for `authed` (or an error: the connection stays
   * anonymous). Callers during one share it.
   */
  function authenticate(ws: WebSocketLike): Promise<void> {
    if (authenticating?.ws === ws) return authenticating.done;
    const done = (async () => {
      const session = await http.session.get().catch(() => null);
      if (!session || socket !== ws) return;
      await new Promise<void>((resolve) => {
        authAnswered = resolve;
        sendAuth(ws, session);
      });
    })().finally(() => {
      if (authenticating?.done === done) authenticating = undefined;
    });
    authenticating = { ws, done };
    return done;
  }

  function sendAuth(ws: WebSocketLike, session: Session) {
    send(ws, { type: 'auth', token: session.accessToken });
    // Refresh ahead of expiry; the refresh announces itself (onSessionChange) and is sent on.
    clear('refresh');
    timers.refresh = setTimeout(() => void http.session.get().catch(() => {}), Math.max(0, session.expiresAt - REFRESH_MARGIN_MS - Date.now()));
  }

  function onSessionChange(event: string, session: Session | null) {
    if (!socket) return;
    if (event === 'TOKEN_REFRESHED' && session) sendAuth(socket, session);
    // Another user, or none: the server would end every subscription; start over cleanly.
    if (event === 'SIGNED_IN' || event === 'SIGNED_OUT') {
      drop();
      connect();
    }
  }

  function receive(data: unknown) {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    const entry = frame.id === undefined ? undefined : entries.get(frame.id);
    switch (frame.type) {
      case 'pong':
        return clear('pong');
      case 'authed':
        return authAnswered?.();
      case 'subscribed':
        if (!entry) return;
        failures = 0;
        entry.renewed = false;
        entry.confirm?.resolve();
        entry.confirm = undefined;
        return entry.options.onSubscribed?.();
      case 'change':
      case 'notification':
        return entry?.onFrame(frame);
      case 'error': {
        if (frame.id === undefined) return authAnswered?.();
        if (!entry) return;
        const code = frame.code ?? 'Internal';
        const error = new LambaseError({ status: statusOf(code), code, message: frame.message ?? code });
        // The token expired under a live subscription: refresh, authenticate, subscribe again, once.
        if (code === 'Unauthorized' && !entry.confirm && !entry.renewed && socket) {
          entry.renewed = true;
          return void renew(socket, entry);
        }
        end(entry, error);
      }
    }
  }

  async function renew(ws: WebSocketLike, entry: Entry) {
    await authenticate(ws);
    if (socket === ws && entries.has(entry.id)) send(ws, subscribeFrame(entry));
  }

  function end(entry: Entry, error: LambaseError) {
    entries.delete(entry.id);
    if (entry.confirm) entry.confirm.reject(error);
    else entry.options.onError?.(error);
    idle();
  }

  function closed(ws: WebSocketLike) {
    if (socket !== ws) return;
    drop();
    if (entries.size === 0) return;
    const delay = Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** failures++);
    timers.reconnect = setTimeout(connect, delay / 2 + (Math.random() * delay) / 2);
  }

  /** Forgets the current socket (closing it) and its timers. */
  function drop() {
    const ws = socket;
    socket = undefined;
    ready = false;
    authAnswered?.();
    for (const name of ['ping', 'pong', 'refresh', 'reconnect'] as const) clear(name);
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      if (ws.readyState <= OPEN) ws.close(1000);
    }
  }

  /** No subscription left: no connection either. */
  function idle() {
    if (entries.size === 0) drop();
  }

  return {
    /**
     * Subscribes to a target; resolves once the server confirms, with the function that stops it.
     * Collections and inboxes have friendlier wrappers: `collection.subscribe`, `notifications.subscribe`.
     *
     * @example
     * const stop = await realtime.subscribe({ channel: 'notifications' }, (frame) => console.log(frame));
     */
    subscribe(target: RealtimeTarget, onFrame: (frame: ServerFrame) => void, options: SubscribeOptions = {}): Promise<Unsubscribe> {
      const id = `s${++counter}`;
      const { signal } = options;
      const unsubscribe: Unsubscribe = () => {
        if (!entries.delete(id)) return;
        if (ready && socket) send(socket, { type: 'unsubscribe', id });
        idle();
      };
      return new Promise<Unsubscribe>((resolve, reject) => {
        if (signal?.aborted) return reject(new LambaseError({ status: 0, code: 'Aborted', message: 'The call was aborted' }));
        const entry: Entry = { id, target, onFrame, options, confirm: { resolve: () => resolve(unsubscribe), reject } };
        signal?.addEventListener('abort', () => {
          if (entry.confirm) entry.confirm.reject(new LambaseError({ status: 0, code: 'Aborted', message: 'The call was aborted' }));
          unsubscribe();
        }, { once: true });
        entries.set(id, entry);
        if (ready && socket) send(socket, subscribeFrame(entry));
        else if (!socket && !timers.reconnect) connect();
      });
    },
    /**
     * Closes the connection and ends every subscription (they are not renewed).
     *
     * @example
     * window.addEventListener('pagehide', () => client.realtime.disconnect());
     */
    disconnect() {
      entries.clear();
      drop();
    },
    /**
     * Whether the connection is open and authenticated (or knowingly anonymous).
     *
     * @example
     * statusDot.hidden = !client.realtime.connected;
     */
    get connected() {
      return ready;
    },
  };
}
