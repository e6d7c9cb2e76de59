/**
 * What a phone receives, per push service: APNs' `{ aps: { alert } }` with the data beside it, and
 * FCM HTTP v1's `message` with `notification` and `data` (whose values FCM takes as strings only).
 * Both services refuse payloads over 4 KB, so a notification is checked against both before anything
 * is written or sent: a send either fits every platform or is refused with 400.
 *
 * @example
 * assertDeliverable(message);           // ValidationError when too large or a data key is reserved
 * apnsPayload(message);                 // { aps: { alert: { title, body } }, postId: 'p1' }
 * fcmMessage(message);                  // { notification: { title, body }, data: { postId: 'p1' } }
 */
import { ValidationError } from '../errors.js';

/** A notification as the sender wrote it; the inbox keeps it exactly so. */
export type PushMessage = { title: string; body: string; data: Record<string, unknown> };

/** APNs and FCM both refuse a payload over 4 KB. */
export const MAX_PAYLOAD_BYTES = 4096;

/**
 * Data keys the services keep for themselves: APNs' `aps` (the payload's own dictionary), and
 * FCM's `from`, `notification`, `message_type` and every key starting with `google` or `gcm`.
 */
const RESERVED_DATA_KEY = /^(aps|from|notification|message_type|google.*|gcm.*)$/i;

export type ApnsPayload = { aps: { alert: { title: string; body: string } } } & Record<string, unknown>;
export type FcmMessage = { notification: { title: string; body: string }; data: Record<string, string> };

export function apnsPayload(message: PushMessage): ApnsPayload {
  return { ...message.data, aps: { alert: { title: message.title, body: message.body } } };
}

export function fcmMessage(message: PushMessage): FcmMessage {
  const data = Object.fromEntries(
    Object.entries(message.data).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  return { notification: { title: message.title, body: message.body }, data };
}

/** Throws `ValidationError` (400) when a data key is reserved, or a platform's payload would be over 4 KB. */
export function assertDeliverable(message: PushMessage): void {
  const reserved = Object.keys(message.data).filter((key) => RESERVED_DATA_KEY.test(key));
  if (reserved.length > 0) {
    throw new ValidationError(`Data keys ${reserved.map((key) => `"${key}"`).join(', ')} are reserved by APNs or FCM; rename them.`, {
      details: reserved.map((key) => ({ path: `notification.data.${key}`, message: 'Reserved key' })),
    });
  }
  const sizes = { APNs: byteLength(apnsPayload(message)), FCM: byteLength({ message: fcmMessage(message) }) };
  const [service, bytes] = Object.entries(sizes).reduce((largest, entry) => (entry[1] > largest[1] ? entry : largest));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new ValidationError(`The notification is ${bytes} bytes as a ${service} payload; the limit is ${MAX_PAYLOAD_BYTES}. Shorten the body or the data.`, {
      details: [{ path: 'notification', message: `Over ${MAX_PAYLOAD_BYTES} bytes` }],
    });
  }
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
