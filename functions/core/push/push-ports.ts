/**
 * The ports the push and inbox use cases need. functions/adapters implements them over the single
 * table and SNS; tests may implement them in memory.
 */
import type { Clock } from '../clock.js';
import type { PageCursors } from '../pagination/cursor.js';
import type { OwnerPage, OwnerPosition } from '../pagination/owner-pages.js';
import type { DevicePlatform } from './push-platforms.js';
import type { PushMessage } from './push-payloads.js';

/** A registered device: one push token, its SNS platform endpoint, and its topic subscriptions. */
export type DeviceRecord = {
  /** Derived from (platform, token): the same token always makes the same device. */
  deviceId: string;
  ownerId: string;
  platform: DevicePlatform;
  token: string;
  endpointArn: string;
  /** Topic → SNS subscription ARN, for each topic of the owner this device is subscribed to. */
  subscriptions: Record<string, string>;
  /** When its current owner registered it. */
  createdAt: string;
  updatedAt: string;
};

export type DeviceStore = {
  get(deviceId: string): Promise<DeviceRecord | undefined>;
  /**
   * Writes the device under `ownerId`, keeping its other fields. `fresh` (a new owner, or a new
   * endpoint) starts its `createdAt` at `at` and its subscriptions empty; otherwise both are kept.
   */
  save(device: Omit<DeviceRecord, 'subscriptions' | 'createdAt' | 'updatedAt'>, options: { at: Date; fresh: boolean }): Promise<void>;
  /** One owner's devices, newest first, `limit` at most, after `after`. */
  listByOwner(ownerId: string, options: { limit: number; after?: OwnerPosition }): Promise<OwnerPage<DeviceRecord>>;
  /** Records (or, with `undefined`, forgets) the device's subscription to `topic`, if `ownerId` still owns it. */
  setSubscription(deviceId: string, ownerId: string, topic: string, subscriptionArn: string | undefined): Promise<void>;
  /** Deletes the device if `ownerId` still owns it (a missing one is fine). */
  delete(deviceId: string, ownerId: string): Promise<void>;
};

export type TopicFollow = { topic: string; followedAt: string };

/** Which users follow which topics (a user's follows decide the topics their devices join). */
export type TopicFollowStore = {
  /** Idempotent: following again keeps the first `followedAt`. */
  follow(userId: string, topic: string, at: Date): Promise<void>;
  /** Idempotent. */
  unfollow(userId: string, topic: string): Promise<void>;
  /** Every topic `userId` follows (read consistently: a follow just made is seen). */
  topicsOf(userId: string): Promise<TopicFollow[]>;
  /** Followers of `topic`, `limit` at most, after the `after` a previous page returned. */
  followers(topic: string, options: { limit: number; after?: string }): Promise<{ userIds: string[]; after: string | undefined }>;
};

/** One notification in one user's inbox. */
export type InboxItem = PushMessage & { notificationId: string; read: boolean; createdAt: string };

export type InboxStore = {
  /** Writes `message` into each user's inbox (overwriting an item of the same id: a retried send). */
  putMany(userIds: readonly string[], item: Omit<InboxItem, 'read'>, expireAt: Date): Promise<void>;
  /** One user's live items (not expired at `now`), newest first. */
  listByOwner(userId: string, options: { limit: number; after?: OwnerPosition; now: Date }): Promise<OwnerPage<InboxItem>>;
  /** False when the user has no such live item. */
  markRead(userId: string, notificationId: string, now: Date): Promise<boolean>;
  /** Every item of one user, expired ones too (for erasure), newest first. */
  listAllByOwner(userId: string, options: { limit: number; after?: OwnerPosition }): Promise<OwnerPage<InboxItem>>;
  deleteMany(userId: string, notificationIds: readonly string[]): Promise<void>;
};

/** The outcome of a push to one device: SNS took it, or reported the endpoint disabled or gone. */
export type EndpointDelivery = 'sent' | 'gone';

/**
 * Mobile push (SNS in the cloud and locally). Topics are named as in lambase.config.ts; the
 * gateway knows their ARNs and the platform applications'.
 */
export type PushGateway = {
  /**
   * The platform endpoint of `token`, created, or brought up to date when it exists: enabled, with
   * this token and `userData`. Returns its ARN.
   */
  ensureEndpoint(input: { platform: DevicePlatform; token: string; userData: string }): Promise<string>;
  /** Deleting a missing endpoint is fine. */
  deleteEndpoint(endpointArn: string): Promise<void>;
  /** Subscribes the endpoint to the topic; subscribing again returns the same subscription. */
  subscribe(topic: string, endpointArn: string): Promise<string>;
  /** Removing a missing subscription is fine. */
  unsubscribe(subscriptionArn: string): Promise<void>;
  publishToEndpoint(endpointArn: string, message: PushMessage): Promise<EndpointDelivery>;
  publishToTopic(topic: string, message: PushMessage): Promise<void>;
};

/** What removing a device needs of the gateway (account erasure has no platform application or topic to name). */
export type EndpointRemoval = Pick<PushGateway, 'deleteEndpoint' | 'unsubscribe'>;

/**
 * lambase.config.ts `push`, as the use cases need it: for each API platform, its credentials
 * secret and whether it is ready (absent: not configured; `ready: false`: the secret does not
 * exist yet), the declared topics, and the admin group (who may send).
 */
export type PushSettings = {
  platforms: Partial<Record<DevicePlatform, { secretName: string; ready: boolean }>>;
  topics: readonly string[];
  adminGroup: string;
};

export type PushDependencies = {
  devices: DeviceStore;
  follows: TopicFollowStore;
  inbox: InboxStore;
  gateway: PushGateway;
  /** Loaded on first use (the signing key lives in the table). */
  cursors: () => Promise<PageCursors>;
  clock: Clock;
  settings: PushSettings;
  /** A fresh notification id (sends that name none). */
  newNotificationId: () => string;
  /** The users whose recent location lies within the circle (functions/core/geo/user-location.ts `usersNear`); needed for `to: { near }`. */
  usersNear?: (near: { lat: number; lng: number; radiusMeters: number }) => Promise<string[]>;
  /** Told about each device a send could not reach for a reason other than its endpoint being gone. */
  onDeliveryFailure: (failure: { deviceId: string; error: unknown }) => void;
};
