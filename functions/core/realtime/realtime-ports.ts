/**
 * The ports the realtime use cases need. functions/adapters implements them over the single table
 * and API Gateway's `@connections` API; tests may implement them in memory.
 */
import type { Backend } from '../config/define-backend.js';
import type { Clock } from '../clock.js';
import type { Connection, RealtimeCaller, ServerFrame, Subscription, SubscriptionTarget } from './realtime-protocol.js';

/** Where a subscription is kept: one partition per place the fan-out looks. */
export type SubscriberGroup =
  /** Subscriptions to a whole collection (with or without `where`). */
  | { collection: string }
  /** Subscriptions to one document (`docId`). */
  | { collection: string; docId: string }
  /** One user's notifications channel. */
  | { inboxOf: string };

/** The group a subscription's target belongs to. */
export function groupOf(target: SubscriptionTarget): SubscriberGroup {
  if ('channel' in target) return { inboxOf: target.userId };
  return target.docId === undefined ? { collection: target.collection } : { collection: target.collection, docId: target.docId };
}

export type ConnectionStore = {
  /** Records a new, anonymous connection. */
  open(connection: Connection): Promise<void>;
  /** The connection (strongly consistent), or undefined when it is gone. */
  get(connectionId: string): Promise<Connection | undefined>;
  /** The connection's subscriptions (strongly consistent). */
  subscriptionsOf(connectionId: string): Promise<Subscription[]>;
  /**
   * Sets the connection's caller (`undefined`: anonymous) if the connection exists and, when
   * `expected` is given, its caller still expires at `expected.expiresAt` (so that of two
   * invocations that found it expired, one acts). False when it did not.
   */
  setCaller(connectionId: string, caller: RealtimeCaller | undefined, expected?: { expiresAt: number }): Promise<boolean>;
  /**
   * Writes `subscription` (in place of `replaced`, the one with the same id, if any) if the
   * connection still exists: all or nothing. False when the connection is gone.
   */
  putSubscription(subscription: Subscription, replaced?: Subscription): Promise<boolean>;
  /** Sets the caller copy of these subscriptions, each only if it still exists. */
  setSubscriptionCaller(subscriptions: readonly Subscription[], caller: RealtimeCaller | undefined): Promise<void>;
  /** Deletes these subscriptions (missing ones are fine). */
  deleteSubscriptions(subscriptions: readonly Subscription[]): Promise<void>;
  /** Deletes the connection and all its subscriptions. Safe to repeat. */
  close(connectionId: string): Promise<void>;
  /** One page of a group's subscriptions (strongly consistent; expired ones left out), and where the next starts. */
  subscribers(group: SubscriberGroup, options: { after?: string; now: Date }): Promise<{ items: Subscription[]; after?: string }>;
};

/** What became of a frame posted to a connection. */
export type PostOutcome = 'sent' | 'gone';

/** Sends frames to connections (API Gateway's `@connections` API). */
export type ConnectionMessenger = {
  post(connectionId: string, frame: ServerFrame): Promise<PostOutcome>;
};

/** Verifies an access token (the HTTP API's rules) and says who it proves, until when. */
export type TokenVerifier = (token: string) => Promise<RealtimeCaller>;

export type RealtimeDependencies = {
  backend: Pick<Backend, 'collections' | 'auth'>;
  connections: ConnectionStore;
  messenger: ConnectionMessenger;
  clock: Clock;
};
