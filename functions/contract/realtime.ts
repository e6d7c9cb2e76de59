/**
 * The realtime protocol's client frames as data (docs/api/realtime.md): what the `$default` route
 * accepts. A frame that is not one of these — bad JSON, a binary frame, an unknown `type`, a
 * missing or unknown field, a `where` that is not equalities — is answered with an `error` frame
 * `ValidationFailed` (carrying the frame's `id` when it has one), never a closed connection.
 */
import * as z from '../core/zod.js';
import { ValidationError } from '../core/errors.js';
import type { ClientFrame } from '../core/realtime/realtime-protocol.js';
import { validationErrorFrom } from '../core/validation.js';

const bounded = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const subscriptionId = bounded(128);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One schema per frame type (a subscription to a collection and to the notifications channel differ). */
export const clientFrameSchemas = {
  auth: z.strictObject({ type: z.literal('auth'), token: bounded(8192) }),
  subscribeCollection: z.strictObject({
    type: z.literal('subscribe'),
    id: subscriptionId,
    collection: bounded(100),
    where: z.optional(z.record(bounded(100), scalar, { error: 'where takes equalities only: { field: value }' })),
    docId: z.optional(bounded(256)),
  }),
  subscribeChannel: z.strictObject({ type: z.literal('subscribe'), id: subscriptionId, channel: z.literal('notifications') }),
  unsubscribe: z.strictObject({ type: z.literal('unsubscribe'), id: subscriptionId }),
  ping: z.strictObject({ type: z.literal('ping') }),
} as const;

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; id?: string; error: ValidationError };

const TYPES = ['auth', 'subscribe', 'unsubscribe', 'ping'];

/** Reads one client frame from a `$default` event's body. */
export function parseClientFrame(body: string | undefined, isBase64Encoded = false): ParsedFrame {
  if (isBase64Encoded) return refused(new ValidationError('Frames are text: send JSON as a text frame.'));
  let raw: unknown;
  try {
    raw = JSON.parse(body ?? '');
  } catch {
    return refused(new ValidationError('A frame is one JSON object.'));
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return refused(new ValidationError('A frame is one JSON object.'));
  const frame = raw as Record<string, unknown>;
  const id = typeof frame.id === 'string' ? frame.id : undefined;
  if (typeof frame.type !== 'string' || !TYPES.includes(frame.type)) {
    return refused(new ValidationError(`Unknown frame type ${JSON.stringify(frame.type)}: send auth, subscribe, unsubscribe or ping.`, { details: [{ path: 'type', message: 'Unknown type' }] }), id);
  }
  const schema =
    frame.type === 'subscribe'
      ? 'channel' in frame ? clientFrameSchemas.subscribeChannel : clientFrameSchemas.subscribeCollection
      : clientFrameSchemas[frame.type as 'auth' | 'unsubscribe' | 'ping'];
  const parsed = schema.safeParse(frame);
  if (!parsed.success) return refused(validationErrorFrom(parsed.error), id);
  return { ok: true, frame: parsed.data as ClientFrame };
}

function refused(error: ValidationError, id?: string): ParsedFrame {
  return { ok: false, ...(id !== undefined ? { id } : {}), error };
}
