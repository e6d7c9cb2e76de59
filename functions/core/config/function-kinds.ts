/**
 * The names and shapes of the config's user functions (triggers, event kinds, \`uses\`), without the
 * config's validation: function code reads these at run time, and function-config.ts validates
 * with full zod, which no bundle loads (ARCHITECTURE.md, "Bundles").
 */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type FunctionHttpMethod = (typeof HTTP_METHODS)[number];

/** Events raised by a change to one collection's documents. */
export const DOCUMENT_EVENT_KINDS = ['documentCreated', 'documentUpdated', 'documentDeleted'] as const;
/** Events that take no parameter. */
export const PLATFORM_EVENT_KINDS = ['fileUploaded', 'userSignedUp'] as const;
/** Events raised by `PUT /me/location` when the user's point enters or leaves a geofence document. */
export const GEOFENCE_EVENT_KINDS = ['geofenceEntered', 'geofenceExited'] as const;
export const EVENT_KINDS = [...DOCUMENT_EVENT_KINDS, ...PLATFORM_EVENT_KINDS, ...GEOFENCE_EVENT_KINDS] as const;
export type DocumentEventKind = (typeof DOCUMENT_EVENT_KINDS)[number];
export type GeofenceEventKind = (typeof GEOFENCE_EVENT_KINDS)[number];
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * What a function's `ctx` may reach, each granting exactly its permissions (lib/functions/user-functions.ts):
 * - `documents`: read and write any document (server-side: the collections' access rules do not apply);
 * - `documents:read`: the same, reads only;
 * - `files`: read file records and sign download URLs;
 * - `push`: send push notifications to users and topics (each also lands in the inbox);
 * - `notifications`: write inbox notifications only (no device push).
 */
export const FUNCTION_USES = ['documents', 'documents:read', 'files', 'push', 'notifications'] as const;
export type FunctionUse = (typeof FUNCTION_USES)[number];

/** `public` (a sent token is still checked and its caller passed on), `authenticated`, or a group's members (and admins). */
export type FunctionAuth = 'public' | 'authenticated' | `group:${string}`;

export type EqualityValue = string | number | boolean;

/** What starts an event function, normalised: `on: 'userSignedUp'` becomes `{ event: 'userSignedUp' }`. */
export type EventTrigger =
  | { event: DocumentEventKind; collection: string; where?: Record<string, EqualityValue> }
  | { event: (typeof PLATFORM_EVENT_KINDS)[number] }
  /** Without `collection`: the fences of every geofence collection. */
  | { event: GeofenceEventKind; collection?: string };

/** How the config may write `on`. */
export type EventTriggerInput = EventTrigger | (typeof PLATFORM_EVENT_KINDS)[number] | GeofenceEventKind;

export type FunctionTrigger =
  | { kind: 'http'; method: FunctionHttpMethod; path: string; auth: FunctionAuth }
  | { kind: 'event'; on: EventTrigger }
  | { kind: 'schedule'; expression: string };

/** One function of the config, validated and with its defaults filled in. */
export type ResolvedFunction = {
  name: string;
  /** The handler file relative to the project root (no leading "./"); it exports `handler`. */
  handler: string;
  trigger: FunctionTrigger;
  uses: FunctionUse[];
  timeoutSeconds: number;
  memoryMb: number;
};
