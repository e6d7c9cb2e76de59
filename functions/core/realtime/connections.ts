/**
 * A WebSocket connection's life (docs/api/realtime.md): opened anonymous, authenticated by an
 * `auth` frame (never by the URL, which would land in access logs), subscribing and unsubscribing,
 * closed. An expired token is noticed lazily, at the connection's next frame (or the next change
 * delivered to it: functions/core/realtime/fan-out.ts), and the connection becomes anonymous then.
 *
 * @example
 * await openConnection(deps, { connectionId, connectedAt });
 * const answer = await receiveFrame(deps, { connectionId, connectedAt }, { type: 'subscribe', id: 'a', collection: 'posts' });
 * await closeConnection(deps, connectionId);
 */
import { UnauthorizedError, ValidationError } from '../errors.js';
import {
  connectionTtl,
  hasExpired,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  type ClientFrame,
  type Connection,
  type RealtimeCaller,
  type ServerFrame,
} from './realtime-protocol.js';
import type { RealtimeDependencies, TokenVerifier } from './realtime-ports.js';
import { changeIdentity, expireCaller, targetFor } from './subscriptions.js';

export type ConnectionRef = { connectionId: string; connectedAt: number };
export type ReceiveDependencies = RealtimeDependencies & { verifyToken: TokenVerifier };

/** `$connect`: the connection exists, anonymous. */
export async function openConnection(deps: Pick<RealtimeDependencies, 'connections'>, ref: ConnectionRef): Promise<void> {
  await deps.connections.open(newConnection(ref));
}

/** `$disconnect` (and a connection API Gateway reports gone): the connection and its subscriptions go. */
export async function closeConnection(deps: Pick<RealtimeDependencies, 'connections'>, connectionId: string): Promise<void> {
  await deps.connections.close(connectionId);
}

/** `$default`: one frame from the client, and the answer to send back. Domain errors are thrown (the handler frames them). */
export async function receiveFrame(deps: ReceiveDependencies, ref: ConnectionRef, frame: ClientFrame): Promise<ServerFrame> {
  const connection = await currentConnection(deps, ref);
  if (frame.type === 'auth') return authenticate(deps, connection, frame.token);
  const caller = await callerNow(deps, connection);
  switch (frame.type) {
    case 'ping':
      return { type: 'pong' };
    case 'subscribe':
      return subscribe(deps, connection, caller, frame);
    case 'unsubscribe':
      return unsubscribe(deps, connection, frame.id);
  }
}

/**
 * The caller behind `token`. Another user ends every subscription; the same user (a refreshed
 * token) keeps those the caller may still hold. A refused token leaves the connection as it was
 * (anonymous stays anonymous; a caller stays until its own token expires).
 */
async function authenticate(deps: ReceiveDependencies, connection: Connection, token: string): Promise<ServerFrame> {
  let caller: RealtimeCaller;
  try {
    caller = await deps.verifyToken(token);
  } catch (error) {
    await callerNow(deps, connection);
    throw new UnauthorizedError('The token is not a valid access token: the connection stays as it was.', { cause: error });
  }
  // Subscriptions the new caller may not hold end before the connection changes hands, so none of
  // the previous caller's changes reach the new one.
  await changeIdentity(deps, connection.connectionId, connection.caller, caller, 'Your access changed: subscribe again.');
  await deps.connections.setCaller(connection.connectionId, caller);
  return { type: 'authed', userId: caller.userId };
}

async function subscribe(
  deps: ReceiveDependencies,
  connection: Connection,
  caller: RealtimeCaller | undefined,
  frame: Extract<ClientFrame, { type: 'subscribe' }>,
): Promise<ServerFrame> {
  const target = targetFor(deps.backend, 'channel' in frame ? { channel: frame.channel } : frame, caller);
  const existing = await deps.connections.subscriptionsOf(connection.connectionId);
  const replaced = existing.find((subscription) => subscription.id === frame.id);
  if (!replaced && existing.length >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
    throw new ValidationError(`A connection holds at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions: unsubscribe one first.`, {
      details: [{ path: 'id', message: 'Too many subscriptions' }],
    });
  }
  const subscription = { connectionId: connection.connectionId, id: frame.id, target, ...(caller ? { caller } : {}), ttl: connection.ttl };
  if (!(await deps.connections.putSubscription(subscription, replaced))) {
    // $disconnect won the race: there is no one left to answer.
    throw new Error(`Connection ${connection.connectionId} closed while subscribing.`);
  }
  return { type: 'subscribed', id: frame.id };
}

async function unsubscribe(deps: ReceiveDependencies, connection: Connection, id: string): Promise<ServerFrame> {
  const existing = await deps.connections.subscriptionsOf(connection.connectionId);
  await deps.connections.deleteSubscriptions(existing.filter((subscription) => subscription.id === id));
  return { type: 'unsubscribed', id };
}

/** The connection's caller now: its token expired → the connection becomes anonymous first. */
async function callerNow(deps: RealtimeDependencies, connection: Connection): Promise<RealtimeCaller | undefined> {
  const { caller } = connection;
  if (!caller || !hasExpired(caller, deps.clock.now())) return caller;
  await expireCaller(deps, connection.connectionId, caller);
  return undefined;
}

/**
 * The connection's record. Missing (its `$connect` write was lost, or TTL took it early), it is
 * made again, anonymous: API Gateway still holds the connection, so it must be served.
 */
async function currentConnection(deps: RealtimeDependencies, ref: ConnectionRef): Promise<Connection> {
  const connection = await deps.connections.get(ref.connectionId);
  if (connection) return connection;
  const fresh = newConnection(ref);
  await deps.connections.open(fresh);
  return fresh;
}

function newConnection(ref: ConnectionRef): Connection {
  return { connectionId: ref.connectionId, connectedAt: ref.connectedAt, ttl: connectionTtl(ref.connectedAt) };
}
