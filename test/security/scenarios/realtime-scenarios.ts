/**
 * The realtime socket in the authorization matrix (docs/api/realtime.md): what each caller's
 * socket is answered when it subscribes to each collection of lambase.config.ts, and whether a new
 * document of the owner's reaches it — worked out from the collection's `read` rule with the
 * contract's words, independently of functions/core/realtime/subscriptions.ts:
 *
 * - an anonymous socket may subscribe where the read rule is public; elsewhere `Unauthorized`;
 * - a signed-in socket is refused (`Forbidden`) only where it may read none of the collection (a
 *   group rule it is not in, and no owner/authenticated/public rule); admins read everything;
 * - a change reaches a subscriber only if it may read the document (GET's rule, `allows` below).
 *
 * Every WebSocket route and stream reader of the realtime tables must say here how the suite
 * exercises it: the test fails for one that does not (a new realtime function cannot be missed).
 */
import backend from '../../../lambase.config.js';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';
import { MEMBER_GROUP, type CallerKind } from '../harness/world.js';
import { allows } from './data-scenarios.js';

export type SubscribeAnswer = { type: 'subscribed' } | { type: 'error'; code: 'Unauthorized' | 'Forbidden' };

const GROUPS: Record<CallerKind, readonly string[]> = { anonymous: [], owner: [], other: [], member: [MEMBER_GROUP], admin: [backend.auth.adminGroup] };

/** The answer to `{ type: 'subscribe', collection }` from `caller`'s socket. */
export function subscribeAnswer(collection: ResolvedCollection, caller: CallerKind): SubscribeAnswer {
  const rules: readonly string[] = collection.access.read;
  if (rules.includes('public')) return { type: 'subscribed' };
  if (caller === 'anonymous') return { type: 'error', code: 'Unauthorized' };
  const groups = GROUPS[caller];
  const readsSome =
    groups.includes(backend.auth.adminGroup) ||
    rules.some((rule) => rule === 'authenticated' || rule === 'owner' || (rule.startsWith('group:') && groups.includes(rule.slice('group:'.length))));
  return readsSome ? { type: 'subscribed' } : { type: 'error', code: 'Forbidden' };
}

/** Whether a change to a document of the owner's reaches `caller`'s subscription. */
export const receivesOwnersChange = (collection: ResolvedCollection, caller: CallerKind) =>
  subscribeAnswer(collection, caller).type === 'subscribed' && allows(collection, 'read', caller);

/** How the suite exercises each WebSocket route and stream reader of lib/routes/realtime-routes.ts. */
export const realtimeCoverage: Record<string, string> = {
  $connect: 'every socket of the matrix opens, anonymous first (a connection starts anonymous)',
  $default: 'auth frames (the caller\'s own token, and every forged kind → error Unauthorized, still anonymous), subscribe frames per collection × caller',
  $disconnect: 'every socket closed at the end: its subscriptions leave the table',
  'realtime-fan-out': 'a new document of the owner\'s per collection, and an inbox item: delivered to exactly the sockets that may read it',
};
