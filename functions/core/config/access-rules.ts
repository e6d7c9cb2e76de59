/**
 * Access rules, per collection and action (docs/api/documents.md). Pure: no AWS, no HTTP.
 */
import { UnauthorizedError } from '../errors.js';

export const ACTIONS = ['read', 'create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** One rule: `public`, `authenticated`, `owner` or `group:<name>`. */
export type AccessRule = 'public' | 'authenticated' | 'owner' | `group:${string}`;

/** Who is asking. `undefined` is an anonymous caller (no token). */
export type Caller = {
  userId: string;
  username?: string;
  groups: readonly string[];
};

const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** Whether `value` is a well-formed rule; the config loader uses it to name a wrong rule. */
export function isAccessRule(value: string): value is AccessRule {
  if (value === 'public' || value === 'authenticated' || value === 'owner') return true;
  return value.startsWith('group:') && GROUP_NAME.test(value.slice('group:'.length));
}

export type AccessDecision =
  /** Allowed whatever the document. */
  | 'allow'
  /** Allowed only on documents the caller owns (for `create`: the caller becomes the owner). */
  | 'owner-only'
  | 'deny';

/**
 * What `rules` allow `caller` to do, before looking at any document. Admins may do everything.
 *
 * @example
 * decide(['owner', 'group:editors'], { userId: 'u1', groups: ['editors'] }, 'admin') // 'allow'
 */
export function decide(rules: readonly AccessRule[], caller: Caller | undefined, adminGroup: string): AccessDecision {
  if (rules.includes('public')) return 'allow';
  if (!caller) return 'deny';
  if (caller.groups.includes(adminGroup)) return 'allow';
  if (rules.includes('authenticated')) return 'allow';
  if (rules.some((rule) => rule.startsWith('group:') && caller.groups.includes(rule.slice('group:'.length)))) {
    return 'allow';
  }
  return rules.includes('owner') ? 'owner-only' : 'deny';
}

/** No query can find anything the caller may read: answer an empty page without asking the table. */
export const NOTHING_READABLE = 'nothing-readable' as const;

/**
 * The read rule's decision for a query (by fields or by place): a rule that denies an anonymous
 * caller asks them to sign in (401); one that denies a signed-in caller finds nothing.
 */
export function queryReadDecision(
  rules: readonly AccessRule[],
  caller: Caller | undefined,
  adminGroup: string,
): Exclude<AccessDecision, 'deny'> | typeof NOTHING_READABLE {
  const decision = decide(rules, caller, adminGroup);
  if (decision !== 'deny') return decision;
  if (!caller) throw new UnauthorizedError();
  return NOTHING_READABLE;
}

/** Whether `caller` may act on a document owned by `owner`. */
export function mayAccess(
  rules: readonly AccessRule[],
  caller: Caller | undefined,
  adminGroup: string,
  owner: string,
): boolean {
  const decision = decide(rules, caller, adminGroup);
  return decision === 'allow' || (decision === 'owner-only' && caller?.userId === owner);
}
