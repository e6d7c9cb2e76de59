/**
 * Administration and profile calls, corrected where cognito-local differs from Cognito: users
 * named by email in admin calls (its AdminListGroupsForUser then finds no groups), the password
 * policy, temporary passwords that satisfy it, disabling that revokes tokens, email uniqueness,
 * and ListUsers paging.
 */
import type { Context } from 'cognito-local/lib/services/context.js';
import { CognitoError } from 'cognito-local/lib/errors.js';
import { cognitoError } from './cognito-errors.js';
import {
  assertPasswordPolicy,
  authenticate,
  findUser,
  generatePassword,
  maskedEmailDelivery,
  requireUser,
  saveUser,
  type Action,
  type Layer,
  type LayerUser,
} from './layer.js';

type Attribute = { Name: string; Value?: string };
type ListedUser = { Username: string; Attributes?: Attribute[] };

const MAX_PAGE = 60;

function ownPool(layer: Layer, req: Record<string, unknown>): boolean {
  return req.UserPoolId === layer.userPool.options.Id;
}

/** Admin calls accept the email as well as the username; cognito-local's targets need the username. */
const withResolvedUsername: Action = async (layer, ctx, req, next) => {
  if (!ownPool(layer, req)) return next(ctx, req);
  const user = await requireUser(layer, ctx, req.Username);
  return next(ctx, { ...req, Username: user.Username });
};

/** An email is one account's sign-in name: Cognito refuses to give it to a second one. */
async function assertEmailFree(layer: Layer, ctx: Context, attributes: unknown, owner: string): Promise<void> {
  const email = (attributes as Attribute[] | undefined)?.find((entry) => entry.Name === 'email')?.Value;
  if (!email) return;
  const holder = await findUser(layer, ctx, email);
  if (holder && holder.Username !== owner) throw cognitoError.aliasExists();
}

const adminCreateUser: Action = async (layer, ctx, req, next) => {
  if (!ownPool(layer, req)) return next(ctx, req);
  if (req.TemporaryPassword !== undefined) assertPasswordPolicy(req.TemporaryPassword, 'TemporaryPassword');
  if (req.MessageAction !== 'RESEND' && (await findUser(layer, ctx, req.Username))) {
    throw new CognitoError('UsernameExistsException', 'User account already exists');
  }
  // cognito-local would generate a 6-character password the policy refuses.
  const result = (await next(ctx, { ...req, TemporaryPassword: req.TemporaryPassword ?? generatePassword() })) as {
    User?: { Username?: string };
  };
  const created: LayerUser | null = result.User?.Username ? await layer.userPool.getUserByUsername(ctx, result.User.Username) : null;
  if (created) await saveUser(layer, ctx, { ...created, TemporaryPasswordIssuedAt: layer.now() });
  return result;
};

const adminSetUserPassword: Action = async (layer, ctx, req, next) => {
  if (!ownPool(layer, req)) return next(ctx, req);
  assertPasswordPolicy(req.Password, 'Password');
  const user = await requireUser(layer, ctx, req.Username);
  const result = await next(ctx, { ...req, Username: user.Username });
  const updated: LayerUser | null = await layer.userPool.getUserByUsername(ctx, user.Username);
  if (updated) {
    await saveUser(layer, ctx, { ...updated, TemporaryPasswordIssuedAt: req.Permanent ? undefined : layer.now() });
  }
  return result;
};

/** Disabling a user also revokes their tokens (Cognito: "deactivates a user and revokes all access tokens"). */
const adminDisableUser: Action = async (layer, ctx, req, next) => {
  if (!ownPool(layer, req)) return next(ctx, req);
  const user = await requireUser(layer, ctx, req.Username);
  const result = await next(ctx, { ...req, Username: user.Username });
  const disabled = await layer.userPool.getUserByUsername(ctx, user.Username);
  if (disabled) await saveUser(layer, ctx, { ...disabled, RefreshTokens: [] });
  return result;
};

const updateUserAttributes: Action = async (layer, ctx, req, next) => {
  const { user } = await authenticate(layer, req.AccessToken, ctx);
  await assertEmailFree(layer, ctx, req.UserAttributes, user.Username);
  const result = (await next(ctx, req)) as { CodeDeliveryDetailsList?: Array<{ Destination?: string }> };
  return {
    ...result,
    CodeDeliveryDetailsList: (result.CodeDeliveryDetailsList ?? []).map((delivery) =>
      delivery.Destination ? maskedEmailDelivery(delivery.Destination) : delivery,
    ),
  };
};

const adminUpdateUserAttributes: Action = async (layer, ctx, req, next) => {
  if (!ownPool(layer, req)) return next(ctx, req);
  const user = await requireUser(layer, ctx, req.Username);
  await assertEmailFree(layer, ctx, req.UserAttributes, user.Username);
  return next(ctx, { ...req, Username: user.Username });
};

function byUsername(a: ListedUser, b: ListedUser): number {
  return a.Username < b.Username ? -1 : a.Username > b.Username ? 1 : 0;
}

/** ListUsers with Cognito's `Limit` (≤ 60), `PaginationToken` and `AttributesToGet`. */
const listUsers: Action = async (layer, ctx, req, next) => {
  const limit = req.Limit === undefined || req.Limit === 0 ? MAX_PAGE : Number(req.Limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE) {
    throw cognitoError.invalidParameter(
      `1 validation error detected: Value '${String(req.Limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE}`,
    );
  }
  const listed = (await next(ctx, { ...req, Limit: undefined, PaginationToken: undefined })) as { Users?: ListedUser[] };
  const users = [...(listed.Users ?? [])].sort(byUsername);
  let start = 0;
  if (req.PaginationToken !== undefined) {
    const after = readPaginationToken(req.PaginationToken);
    if (after === undefined) throw cognitoError.invalidParameter('Invalid pagination token.');
    start = users.findIndex((user) => user.Username > after);
    if (start < 0) start = users.length;
  }
  const page = users.slice(start, start + limit);
  const wanted = Array.isArray(req.AttributesToGet) ? (req.AttributesToGet as string[]) : undefined;
  const last = page.at(-1);
  return {
    Users: wanted ? page.map((user) => ({ ...user, Attributes: (user.Attributes ?? []).filter((entry) => wanted.includes(entry.Name)) })) : page,
    ...(last && start + limit < users.length ? { PaginationToken: Buffer.from(JSON.stringify({ after: last.Username })).toString('base64url') } : {}),
  };
};

function readPaginationToken(token: unknown): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

export const userAdminActions: Record<string, Action> = {
  AdminCreateUser: adminCreateUser,
  AdminSetUserPassword: adminSetUserPassword,
  AdminDisableUser: adminDisableUser,
  AdminUpdateUserAttributes: adminUpdateUserAttributes,
  UpdateUserAttributes: updateUserAttributes,
  ListUsers: listUsers,
  AdminGetUser: withResolvedUsername,
  AdminDeleteUser: withResolvedUsername,
  AdminEnableUser: withResolvedUsername,
  AdminAddUserToGroup: withResolvedUsername,
  AdminRemoveUserFromGroup: withResolvedUsername,
  AdminListGroupsForUser: withResolvedUsername,
};
