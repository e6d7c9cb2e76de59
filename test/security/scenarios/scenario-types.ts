/**
 * What the authorization matrix needs to know about a route, one table per feature
 * (test/security/scenarios/<feature>-scenarios.ts), in the style of PocketBase's ApiScenario.
 *
 * A route of the route table (lib/routes.ts) without a scenario fails the matrix, naming the
 * operation and the file to add it to: a new route cannot go untested.
 */
import type { FaultService } from '../harness/fault-proxy.js';
import type { Response } from '../harness/http.js';
import type { CallerKind, World } from '../harness/world.js';

/** The parts of a request a scenario chooses; the caller's token is added by the matrix. */
export type ScenarioRequest = {
  /** Path parameters, by name (`{id}` → `params.id`), sent URL-encoded. */
  params?: Record<string, string>;
  /** Sent as `?name=value&…`. */
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent instead of the caller's own access token (a throwaway session or user). */
  token?: string;
};

export type ScenarioContext = { world: World; caller: CallerKind };

export type RouteScenario = {
  /** Says which case of the route this is ("private file", "posts"…). */
  name: string;
  /**
   * The object under test, owned by `owner` (made fresh for every call: a refused write must
   * leave it as it was, an allowed one may change or delete it). Returns the path parameters
   * that name it, plus anything the request needs.
   */
  object?(world: World, owner: Exclude<CallerKind, 'anonymous'>): Promise<ObjectUnderTest>;
  /** The request `caller` sends about `object` (made by `owner`). */
  request(context: ScenarioContext, object: ObjectUnderTest | undefined): Promise<ScenarioRequest> | ScenarioRequest;
  /** The exact status the contract gives each caller. */
  expect: Record<CallerKind, number>;
  /** Checked after each call: a refused write left the object as it was, a list hides what the caller may not read… */
  verify?(context: ScenarioContext, object: ObjectUnderTest | undefined, response: Response): Promise<void> | void;
  /**
   * Path parameters that name an object of the owner's: the matrix also sends the owner's request
   * with another user's object in each of these positions, and expects what that user's object
   * owes a stranger (the `other` column).
   */
  ownedParams?: readonly string[];
  /**
   * Where a client-chosen field goes in this route's body (mass assignment), when not at the top
   * level (a batch puts it in each operation's `data`). Undefined when the route has no body.
   */
  withField?(body: unknown, name: string, value: unknown): unknown;
  /**
   * How this route refuses such a field. @default 400 ValidationFailed. (A batch reports the
   * operation that carried it: 409 TransactionCanceled, its detail ValidationFailed.)
   */
  fieldRefusal?: { status: number; code: string; detailCode?: string };
  /**
   * AWS services whose failure this request absorbs by design, answering `expect` all the same
   * (a push that one device's endpoint refuses is reported and skipped: the send goes on).
   */
  survives?: readonly FaultService[];
};

export type ObjectUnderTest = { params: Record<string, string>; ownerId: string } & Record<string, unknown>;

/** Scenarios by operationId; a route may have several (one per collection, per file visibility…). */
export type FeatureScenarios = Record<string, readonly RouteScenario[]>;

/** Every caller gets `status`. */
export const everyone = (status: number): Record<CallerKind, number> => ({ anonymous: status, owner: status, other: status, member: status, admin: status });

/** 401 for anonymous callers, `status` for every signed-in one. */
export const signedIn = (status: number): Record<CallerKind, number> => ({ ...everyone(status), anonymous: 401 });

/** 401 anonymous, 403 for anyone outside the admin group, `status` for an admin. */
export const adminOnly = (status: number): Record<CallerKind, number> => ({ anonymous: 401, owner: 403, other: 403, member: 403, admin: status });
