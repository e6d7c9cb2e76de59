/**
 * The realtime protocol's vocabulary (docs/api/realtime.md): the frames a client sends and gets,
 * what a connection and a subscription are, and API Gateway's WebSocket limits, which the cloud
 * enforces and local mode reproduces. Pure: no AWS, no Lambda.
 */
import type { Caller } from '../config/access-rules.js';
import type { InboxItem } from '../push/push-ports.js';

/** The 101st subscription of one connection is refused. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** API Gateway's WebSocket frame limit: larger change frames go out truncated. */
export const MAX_FRAME_BYTES = 32 * 1024;
/** API Gateway closes a connection after 2 hours, whatever happens on it. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;
/** …and after 10 minutes without a frame from the client. */
export const IDLE_TIMEOUT_SECONDS = 10 * 60;
/**
 * Connection and subscription items outlive the longest connection by this much before TTL may
 * remove them, so a live connection never loses its items to TTL.
 */
export const CONNECTION_TTL_MARGIN_SECONDS = 15 * 60;

export type Scalar = string | number | boolean;

/** A caller proven by an access token, until that token's expiry (epoch seconds). */
export type RealtimeCaller = Caller & { expiresAt: number };

/** What one subscription listens to. */
export type SubscriptionTarget =
  | { collection: string; where?: Record<string, Scalar>; docId?: string }
  | { channel: 'notifications'; userId: string };

/** One subscription of one connection, named by the client's `id`. */
export type Subscription = {
  connectionId: string;
  id: string;
  target: SubscriptionTarget;
  /** Who subscribed (a copy of the connection's caller, so the fan-out needs no other read); none: anonymous. */
  caller?: RealtimeCaller;
  /** When the items go (epoch seconds), as the connection's. */
  ttl: number;
};

export type Connection = {
  connectionId: string;
  /** Epoch milliseconds, as API Gateway reports it. */
  connectedAt: number;
  caller?: RealtimeCaller;
  ttl: number;
};

export type ClientFrame =
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; id: string; collection: string; where?: Record<string, Scalar>; docId?: string }
  | { type: 'subscribe'; id: string; channel: 'notifications' }
  | { type: 'unsubscribe'; id: string }
  | { type: 'ping' };

export type ChangeEvent = 'created' | 'updated' | 'deleted';

export type ServerFrame =
  | { type: 'authed'; userId: string }
  | { type: 'subscribed'; id: string }
  | { type: 'unsubscribed'; id: string }
  | { type: 'pong' }
  | { type: 'error'; id?: string; code: string; message: string }
  | { type: 'change'; id: string; event: ChangeEvent; document: Record<string, unknown>; truncated?: true }
  | { type: 'notification'; id: string; notification: InboxItem | { notificationId: string }; truncated?: true };

/** The TTL of a connection's items: the longest it can live, plus a margin. */
export function connectionTtl(connectedAtMs: number): number {
  return Math.floor(connectedAtMs / 1000) + MAX_CONNECTION_SECONDS + CONNECTION_TTL_MARGIN_SECONDS;
}

/** Whether the caller's token has expired at `now`. */
export function hasExpired(caller: RealtimeCaller, now: Date): boolean {
  return caller.expiresAt * 1000 <= now.getTime();
}

/** The frame's size on the wire (UTF-8). */
export function frameBytes(frame: ServerFrame): number {
  return Buffer.byteLength(JSON.stringify(frame));
}
