/**
 * Who may hold which subscription, and how a connection's identity changes: the collection's
 * `read` rule decides (the same `decide` GET uses), the notifications channel is its user's only.
 * When a token expires or another user authenticates, the subscriptions the connection may no
 * longer hold end with an `error` frame carrying their id.
 */
import pMap from 'p-map';
import { decide } from '../config/access-rules.js';
import type { Backend, ResolvedCollection } from '../config/define-backend.js';
import { assertQueryable } from '../documents/query-plan.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { RealtimeCaller, SubscriptionTarget } from './realtime-protocol.js';
import type { RealtimeDependencies } from './realtime-ports.js';

type Rules = Pick<Backend, 'collections' | 'auth'>;

/** Error frames posted at once when a connection loses several subscriptions. */
const ENDING_CONCURRENCY = 10;

export function collectionNamed(backend: Rules, name: string): ResolvedCollection | undefined {
  return Object.hasOwn(backend.collections, name) ? backend.collections[name] : undefined;
}

/**
 * What a `subscribe` frame asks for, checked against the caller: 404 for an unknown collection,
 * 401 for an anonymous caller where a token is needed, 403 when the caller may read none of the
 * collection, 400 for a `where` on a field the collection does not have.
 */
export function targetFor(
  backend: Rules,
  request: { collection: string; where?: Record<string, string | number | boolean>; docId?: string } | { channel: 'notifications' },
  caller: RealtimeCaller | undefined,
): SubscriptionTarget {
  if ('channel' in request) {
    if (!caller) throw new UnauthorizedError('The notifications channel needs a signed-in connection: send auth first.');
    return { channel: 'notifications', userId: caller.userId };
  }
  const collection = collectionNamed(backend, request.collection);
  if (!collection) throw new NotFoundError(`There is no collection named "${request.collection}".`);
  if (decide(collection.access.read, caller, backend.auth.adminGroup) === 'deny') {
    if (!caller) throw new UnauthorizedError(`Reading ${collection.name} needs a signed-in connection: send auth first.`);
    throw new ForbiddenError(`You may not read ${collection.name}.`);
  }
  for (const field of Object.keys(request.where ?? {})) assertQueryable(collection, field);
  return { collection: collection.name, ...(request.where ? { where: request.where } : {}), ...(request.docId !== undefined ? { docId: request.docId } : {}) };
}

/** Whether `caller` may still hold a subscription to `target`. */
export function mayHold(backend: Rules, target: SubscriptionTarget, caller: RealtimeCaller | undefined): boolean {
  if ('channel' in target) return caller?.userId === target.userId;
  const collection = collectionNamed(backend, target.collection);
  return collection !== undefined && decide(collection.access.read, caller, backend.auth.adminGroup) !== 'deny';
}

/**
 * The connection now acts as `caller` (anonymous: `undefined`): subscriptions it may still hold
 * carry the new caller, the others end (deleted first, so nothing more is delivered to them, then
 * announced). Another user ends them all.
 */
export async function changeIdentity(
  deps: Pick<RealtimeDependencies, 'backend' | 'connections' | 'messenger'>,
  connectionId: string,
  previous: RealtimeCaller | undefined,
  caller: RealtimeCaller | undefined,
  why: string,
): Promise<void> {
  const subscriptions = await deps.connections.subscriptionsOf(connectionId);
  const anotherUser = previous !== undefined && caller !== undefined && previous.userId !== caller.userId;
  const ended = subscriptions.filter((subscription) => anotherUser || !mayHold(deps.backend, subscription.target, caller));
  const kept = subscriptions.filter((subscription) => !ended.includes(subscription));
  await deps.connections.deleteSubscriptions(ended);
  await deps.connections.setSubscriptionCaller(kept, caller);
  const message = anotherUser ? 'The connection now belongs to another user: subscribe again.' : why;
  await pMap(ended, (subscription) => deps.messenger.post(connectionId, { type: 'error', id: subscription.id, code: 'Unauthorized', message }), {
    concurrency: ENDING_CONCURRENCY,
  });
}

/**
 * The caller's token has expired: the connection becomes anonymous, once (of several invocations
 * that notice at the same moment, the one whose conditional write wins does the work).
 */
export async function expireCaller(deps: Pick<RealtimeDependencies, 'backend' | 'connections' | 'messenger'>, connectionId: string, caller: RealtimeCaller): Promise<void> {
  if (!(await deps.connections.setCaller(connectionId, undefined, { expiresAt: caller.expiresAt }))) return;
  await changeIdentity(deps, connectionId, caller, undefined, 'Your access token expired: the connection is anonymous now. Send auth with a fresh token, then subscribe again.');
}
