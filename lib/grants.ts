/**
 * Permissions a function can be given (the route and trigger tables name them). Its own module,
 * so the per-feature route sections can use it without an import cycle through lib/routes.ts.
 */

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
 * One permission. Each adds the environment its function needs to find the resource.
 * - table: `read` is GetItem/BatchGetItem/Query/ConditionCheckItem (never Scan); `write` is
 *   PutItem/UpdateItem/DeleteItem/BatchWriteItem.
 * - bucket: object access under `prefix` only.
 * - userPool: the listed admin actions; `userPoolClient` is the pool's public API (no IAM).
 */
export type Grant =
  | { kind: 'table'; access: 'read' | 'write' | 'readWrite' }
  /** Read (and create once) the cursor-signing key item `#META` — nothing else. */
  | { kind: 'cursorKey' }
  | { kind: 'bucket'; access: 'read' | 'write' | 'delete'; prefix: string }
  | { kind: 'userPool'; actions: readonly UserPoolAction[] }
  | { kind: 'userPoolClient' };

export const grants = {
  tableRead: { kind: 'table', access: 'read' },
  tableWrite: { kind: 'table', access: 'write' },
  tableReadWrite: { kind: 'table', access: 'readWrite' },
  cursorKey: { kind: 'cursorKey' },
  userPoolClient: { kind: 'userPoolClient' },
  userPool: (...actions: UserPoolAction[]): Grant => ({ kind: 'userPool', actions }),
  bucket: (access: 'read' | 'write' | 'delete', prefix: string): Grant => ({ kind: 'bucket', access, prefix }),
} as const satisfies Record<string, Grant | ((...args: never[]) => Grant)>;
