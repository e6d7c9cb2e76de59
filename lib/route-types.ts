/**
 * The shapes of the route and trigger tables and of the permissions they name. Types only, and
 * nothing else from lib/, so that the tables (lib/routes.ts, lib/triggers.ts), their per-feature
 * sections (lib/routes/*) and the constructs that read them all depend on this one module instead
 * of on each other.
 */
import type { Operation } from '../functions/contract/operation.js';
import type { StreamFilter } from '../functions/core/events/table-events.js';
import type { FunctionUse } from '../functions/core/config/function-kinds.js';
import type { DevicePlatform } from '../functions/core/push/push-platforms.js';

/** Cognito user-pool API actions that need IAM (the public ones, like SignUp, need none). */
export type UserPoolAction =
  | 'AdminGetUser'
  | 'AdminDeleteUser'
  | 'AdminDisableUser'
  | 'AdminEnableUser'
  | 'AdminAddUserToGroup'
  | 'AdminRemoveUserFromGroup'
  | 'AdminListGroupsForUser'
  | 'AdminUpdateUserAttributes'
  | 'AdminUserGlobalSignOut'
  | 'ListUsers'
  | 'ListUsersInGroup';

/**
 * SNS mobile-push actions, each granted on the resources it acts on (lib/push/push-construct.ts):
 * CreatePlatformEndpoint on the configured platform applications; Get/SetEndpointAttributes and
 * DeleteEndpoint on their endpoints; Subscribe and Unsubscribe on the config's topics; Publish on
 * those topics and on the endpoints.
 */
export type PushAction =
  | 'CreatePlatformEndpoint'
  | 'GetEndpointAttributes'
  | 'SetEndpointAttributes'
  | 'DeleteEndpoint'
  | 'Subscribe'
  | 'Unsubscribe'
  | 'Publish';

/**
 * One permission (lib/grants.ts builds them). Each adds the environment its function needs to find the resource.
 * - table: `read` is GetItem/BatchGetItem/Query/ConditionCheckItem (never Scan); `write` is
 *   PutItem/UpdateItem/DeleteItem/BatchWriteItem.
 * - bucket: object access under `prefix` only.
 * - userPool: the listed admin actions; `userPoolClient` is the pool's public API (no IAM).
 * - push: the listed SNS actions on Lambase's own push resources.
 * - eventReceipts: the receipts that make a user function run each event once (`EVENT#<function>#…` items only).
 * - invoke: invoke the named user functions (lambase.config.ts names).
 * - realtimeConnections: post frames to the WebSocket API's connections (`execute-api:ManageConnections`
 *   on this API's `POST @connections/*` only).
 */
export type Grant =
  | { kind: 'table'; access: 'read' | 'write' | 'readWrite' }
  /** Read (and create once) the cursor-signing key item `#META` — nothing else. */
  | { kind: 'cursorKey' }
  | { kind: 'bucket'; access: 'read' | 'write' | 'delete'; prefix: string }
  | { kind: 'userPool'; actions: readonly UserPoolAction[] }
  | { kind: 'userPoolClient' }
  | { kind: 'push'; actions: readonly PushAction[] }
  | { kind: 'eventReceipts'; function: string }
  | { kind: 'invoke'; functions: readonly string[] }
  | { kind: 'realtimeConnections' };

export type FunctionSettings = {
  /** The handler file, relative to the project root; it exports `handler`. */
  handler: string;
  /**
   * The function's id in the stack (and, for a route, its name in local mode), for functions that
   * must not share one function per handler file (user functions). @default functionId(handler)
   */
  id?: string;
  grants: readonly Grant[];
  /** A user function's \`uses\`: its bundle carries only those parts of \`ctx\` (build/function-build.ts). */
  uses?: readonly FunctionUse[];
  /** Variables of the function's own (settings, not resource names: those follow from the grants). */
  environment?: Record<string, string>;
  /** @default 512 */
  memoryMb?: number;
  /** @default 10 (API Gateway waits 30 s at most) */
  timeoutSeconds?: number;
};

/** One row of the route table: an HTTP operation and the function that serves it. */
export type RouteDefinition = FunctionSettings & {
  operation: Operation;
  /** This route's own throttle, in place of the stage's (e.g. public routes that send email). */
  throttle?: { rateLimit: number; burstLimit: number };
};

/** A route of the WebSocket API (API Gateway's route keys: no route selection on the body). */
export type RealtimeRouteKey = '$connect' | '$disconnect' | '$default';

/** One row of the realtime route table: a WebSocket route and the function that serves it. */
export type RealtimeRouteDefinition = FunctionSettings & {
  routeKey: RealtimeRouteKey;
  /** The function's result body goes back to the client as a frame (a route response). */
  returnResponse?: boolean;
};

/** The resources a function's environment points at; CDK passes tokens, local mode real names. */
export type ResourceNames = {
  stage: string;
  tableName: string;
  bucketName: string;
  userPoolId: string;
  userPoolClientId: string;
  /** SNS platform application ARN per configured push platform ('' until its credentials secret exists). */
  pushApplications: Partial<Record<DevicePlatform, string>>;
  /** SNS topic ARN per topic of lambase.config.ts. */
  pushTopics: Record<string, string>;
  /** The deployed name of each user function (lambase.config.ts name → Lambda function name). */
  functionNames: Record<string, string>;
  /** The WebSocket API's `@connections` endpoint (its stage's callback URL). */
  realtimeEndpoint: string;
};

export type CognitoTriggerEvent = 'PostConfirmation' | 'PreSignUp' | 'CustomMessage';

export type TriggerSource =
  /** A user-pool trigger; Cognito waits for the function (synchronous). */
  | { source: 'cognito'; event: CognitoTriggerEvent }
  /** Object-created events for keys under `prefix` (asynchronous). */
  | { source: 's3'; prefix: string }
  /**
   * A reader of the table's stream with its own event filters (OR-ed), in batches of up to
   * `batchSize`, waiting up to `batchingWindowSeconds` to fill one (none by default: records go out
   * as soon as Lambda reads them), `parallelization` batches of a shard at once, records older than
   * `maxRecordAgeHours` (default 24) dropped into the dead-letter queue. The stream has a budget of
   * two readers (AWS's guidance): the event dispatcher and the realtime fan-out.
   */
  | {
      source: 'stream';
      filters: readonly StreamFilter[];
      batchSize?: number;
      batchingWindowSeconds?: number;
      parallelization?: number;
      maxRecordAgeHours?: number;
    }
  /** Invoked asynchronously by another function (the event dispatcher invokes user functions). */
  | { source: 'dispatched' }
  /** An EventBridge Scheduler expression (asynchronous). */
  | { source: 'schedule'; expression: string };

/** One row of the trigger table: a function started by an event rather than an HTTP request. */
export type TriggerDefinition = FunctionSettings & { name: string } & TriggerSource;
