/**
 * The signed-in session: kept in pluggable storage, its access token refreshed shortly before it
 * expires (and once when the server refuses it), every concurrent caller sharing one refresh.
 */
import { LambaseError } from './errors.js';

/**
 * Where the session is kept. `window.localStorage` and `sessionStorage` fit as they are; so do
 * async stores (React Native's AsyncStorage, a cookie bridge).
 */
export type SessionStorage = {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
};

/** Who is signed in, read from the ID token's claims. */
export type SessionUser = { userId: string; email: string; groups: string[] };

export type Session = {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** When the access token expires, in epoch milliseconds (measured on this device's clock). */
  expiresAt: number;
  user: SessionUser;
};

export type AuthChangeEvent = 'INITIAL_SESSION' | 'SIGNED_IN' | 'SIGNED_OUT' | 'TOKEN_REFRESHED';
export type AuthChangeListener = (event: AuthChangeEvent, session: Session | null) => void;

/** The token answers of sign-in and refresh (refresh sends no new refresh token). */
export type TokenAnswer = { accessToken: string; idToken: string; refreshToken?: string; expiresIn: number };

/** Refresh this long before expiry, so a token never expires in flight. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * A session store that lives as long as the page or process: the default.
 *
 * @example
 * const client = createClient({ url, storage: memoryStorage() });
 */
export function memoryStorage(): SessionStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

export type SessionManager = ReturnType<typeof createSessionManager>;

export function createSessionManager(options: {
  storage: SessionStorage;
  storageKey: string;
  /** Calls `POST /auth/refresh`. */
  refresh: (refreshToken: string) => Promise<TokenAnswer>;
  now?: () => number;
}) {
  const { storage, storageKey } = options;
  const now = options.now ?? Date.now;
  const listeners = new Set<AuthChangeListener>();
  let loading: Promise<void> | undefined;
  let current: Session | null = null;
  let refreshing: Promise<Session | null> | undefined;

  /** The session as it is now (read from the store the first time). */
  async function load(): Promise<Session | null> {
    await (loading ??= (async () => {
      try {
        const text = await storage.getItem(storageKey);
        current = text ? (JSON.parse(text) as Session) : null;
      } catch {
        current = null;
      }
    })());
    return current;
  }

  const emit = (event: AuthChangeEvent) => {
    for (const listener of [...listeners]) listener(event, current);
  };

  async function set(session: Session | null, event: AuthChangeEvent): Promise<void> {
    if (!(await load()) && !session) return;
    current = session;
    await (session ? storage.setItem(storageKey, JSON.stringify(session)) : storage.removeItem(storageKey));
    emit(event);
  }

  /** One refresh at a time: callers that arrive during it share its outcome. */
  function refresh(staleAccessToken?: string): Promise<Session | null> {
    return (refreshing ??= (async () => {
      try {
        const session = await load();
        if (!session) return null;
        // Someone else already replaced the token this caller saw refused.
        if (staleAccessToken && session.accessToken !== staleAccessToken) return session;
        try {
          const answer = await options.refresh(session.refreshToken);
          const next = sessionFrom(answer, now(), session.refreshToken);
          await set(next, 'TOKEN_REFRESHED');
          return next;
        } catch (error) {
          // A refused refresh token (revoked, expired, user disabled) ends the session; a network
          // failure or throttling does not.
          if (error instanceof LambaseError && error.status >= 400 && error.status < 500 && error.status !== 429) {
            await set(null, 'SIGNED_OUT');
            return null;
          }
          throw error;
        }
      } finally {
        refreshing = undefined;
      }
    })());
  }

  return {
    load,
    set,
    refresh,
    /** The current session, refreshed first if its access token is about to expire. */
    async get(): Promise<Session | null> {
      const session = await load();
      if (!session || session.expiresAt - now() > REFRESH_MARGIN_MS) return session;
      try {
        return await refresh(session.accessToken);
      } catch (error) {
        // Offline or throttled: the token still works until it actually expires.
        if (session.expiresAt > now()) return session;
        throw error;
      }
    },
    /** @returns an unsubscribe function; the listener hears `INITIAL_SESSION` once the store is read. */
    listen(listener: AuthChangeListener): () => void {
      listeners.add(listener);
      void load().then(
        (session) => listeners.has(listener) && listener('INITIAL_SESSION', session),
        () => {},
      );
      return () => void listeners.delete(listener);
    },
  };
}

/** Builds a session from a token answer; the user comes from the ID token's claims. */
export function sessionFrom(answer: TokenAnswer, now: number, previousRefreshToken?: string): Session {
  const claims = decodeJwtPayload(answer.idToken);
  const refreshToken = answer.refreshToken ?? previousRefreshToken;
  if (!refreshToken) throw new TypeError('a session needs a refresh token');
  return {
    accessToken: answer.accessToken,
    idToken: answer.idToken,
    refreshToken,
    expiresAt: now + answer.expiresIn * 1000,
    user: {
      userId: String(claims.sub ?? ''),
      email: String(claims.email ?? ''),
      groups: Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [],
    },
  };
}

/** Reads a JWT's claims without checking it: the server checks every token it is sent. */
function decodeJwtPayload(token: string): Record<string, unknown> {
  try {
    const base64 = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
