/**
 * The permissions a function can be given, by name (the route and trigger tables use them); the
 * `Grant` type they build is in lib/route-types.ts.
 */
import type { Grant, PushAction, UserPoolAction } from './route-types.js';

export const grants = {
  tableRead: { kind: 'table', access: 'read' },
  tableWrite: { kind: 'table', access: 'write' },
  tableReadWrite: { kind: 'table', access: 'readWrite' },
  cursorKey: { kind: 'cursorKey' },
  userPoolClient: { kind: 'userPoolClient' },
  userPool: (...actions: UserPoolAction[]): Grant => ({ kind: 'userPool', actions }),
  bucket: (access: 'read' | 'write' | 'delete', prefix: string): Grant => ({ kind: 'bucket', access, prefix }),
  push: (...actions: PushAction[]): Grant => ({ kind: 'push', actions }),
  eventReceipts: (functionName: string): Grant => ({ kind: 'eventReceipts', function: functionName }),
  invoke: (functions: readonly string[]): Grant => ({ kind: 'invoke', functions }),
  realtimeConnections: { kind: 'realtimeConnections' },
} as const satisfies Record<string, Grant | ((...args: never[]) => Grant)>;
