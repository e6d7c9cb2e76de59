/**
 * What SNS hands a push service for one endpoint, and what local mode's outbox records of it.
 * With `MessageStructure: json` the endpoint gets the value under its platform's key (APNS,
 * APNS_SANDBOX, GCM), else `default`; each must be what that service takes, within its 4 KB.
 */
import { MAX_PAYLOAD_BYTES } from '../../../functions/core/push/push-payloads.js';
import type { SnsPlatform } from '../../../functions/core/push/push-platforms.js';
import { snsError } from './query-protocol.js';

/** SNS's limit on a whole Publish message. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** A Publish's `Message`, checked as SNS checks it: the platform values of a JSON structure. */
export function parseMessage(message: string, structure: string | undefined): Record<string, string> {
  if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw snsError.invalidParameter('Invalid parameter: Message too long');
  if (structure === undefined) return { default: message };
  if (structure !== 'json') throw snsError.invalidParameter('Invalid parameter: MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw snsError.invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((value) => typeof value !== 'string')) {
    throw snsError.invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  const values = parsed as Record<string, string>;
  if (values.default === undefined) throw snsError.invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
  return values;
}

/** What the outbox shows of one delivery: the payload the service gets, and its title, body and data. */
export type PlatformDelivery = { payload: unknown; title: string; body: string; data: Record<string, unknown> };

/** The payload `platform`'s service would get from `values`, or SNS's refusal. */
export function platformDelivery(platform: SnsPlatform, values: Record<string, string>): PlatformDelivery {
  const raw = values[platform];
  if (raw === undefined) {
    // Without its own key, SNS sends the default text as a plain alert / notification body.
    const text = values.default!;
    return platform === 'GCM'
      ? { payload: { fcmV1Message: { message: { notification: { body: text } } } }, title: '', body: text, data: {} }
      : { payload: { aps: { alert: text } }, title: '', body: text, data: {} };
  }
  if (Buffer.byteLength(raw, 'utf8') > MAX_PAYLOAD_BYTES + (platform === 'GCM' ? 64 : 0)) {
    throw snsError.invalidParameter(`Invalid parameter: Message Reason: Invalid notification for protocol ${platform}: Message too long`);
  }
  const payload = parseObject(raw, platform);
  if (platform === 'GCM') {
    const message = (payload.fcmV1Message as { message?: Record<string, unknown> } | undefined)?.message;
    if (!message) throw invalidNotification(platform, 'fcmV1Message.message is required');
    const notification = (message.notification ?? {}) as { title?: string; body?: string };
    const data = (message.data ?? {}) as Record<string, unknown>;
    if (Object.values(data).some((value) => typeof value !== 'string')) throw invalidNotification(platform, 'data values must be strings');
    return { payload, title: notification.title ?? '', body: notification.body ?? '', data };
  }
  const { aps, ...data } = payload as { aps?: { alert?: string | { title?: string; body?: string } } };
  if (!aps) throw invalidNotification(platform, 'the aps dictionary is required');
  const alert = typeof aps.alert === 'string' ? { body: aps.alert } : (aps.alert ?? {});
  return { payload, title: alert.title ?? '', body: alert.body ?? '', data };
}

function parseObject(raw: string, platform: SnsPlatform): Record<string, unknown> {
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw invalidNotification(platform, 'not a JSON object');
}

function invalidNotification(platform: SnsPlatform, reason: string) {
  return snsError.invalidParameter(`Invalid parameter: Message Reason: Invalid notification for protocol ${platform}: ${reason}`);
}
