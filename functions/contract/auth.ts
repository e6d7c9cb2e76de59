/**
 * The auth operations of the HTTP contract (docs/api/auth.md): sign-up to sign-out over
 * Cognito, the caller's own account (`/me`) and user administration (`/admin/users`).
 * Passwords are checked against the pool's policy by Cognito (400 `InvalidPassword`), not here, so
 * the answer is the same whichever way a client reaches the pool.
 */
import * as z from '../core/zod.js';
import { storedLocationSchema } from './geo.js';
import { deleteMeOperation } from './delete-me.js';
import { defineOperation, type Operation } from './operation.js';
import { pageOf, pageQuerySchema } from './shared-schemas.js';

const email = z.email('Enter a valid email address').check(z.maxLength(254));
/** Cognito's own limit; the policy itself is Cognito's to enforce. */
const password = z.string().check(z.minLength(1, 'Required'), z.maxLength(256));
const code = z.string().check(z.trim(), z.minLength(1, 'Required'), z.maxLength(2048));
const name = z.string().check(z.trim(), z.minLength(1, 'Must not be empty'), z.maxLength(256));
/** Cognito's user id (`sub`). */
const userId = z.string().check(z.regex(/^[\w-]{1,128}$/, 'Not a user id'));
/** Cognito's group-name alphabet. */
const groupName = z.string().check(z.regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u, 'Not a group name'));

const noContent = { description: 'Done' };

export const signUpResultSchema = z
  .object({ userId: z.string(), email: z.string(), confirmed: z.boolean() })
  .register(z.globalRegistry, { id: 'SignUpResult' });

export const tokensSchema = z
  .object({
    accessToken: z.string(),
    idToken: z.string(),
    refreshToken: z.string(),
    /** Seconds until the access token expires. */
    expiresIn: z.number().check(z.int()),
    tokenType: z.literal('Bearer'),
  })
  .register(z.globalRegistry, { id: 'Tokens' });

/** Sign-in needs one more step (`NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`…): answer it with respond-to-challenge. */
export const challengeSchema = z.object({ challenge: z.string(), session: z.string() }).register(z.globalRegistry, { id: 'AuthChallenge' });

export const refreshedTokensSchema = z
  .object({ accessToken: z.string(), idToken: z.string(), expiresIn: z.number().check(z.int()), tokenType: z.literal('Bearer') })
  .register(z.globalRegistry, { id: 'RefreshedTokens' });

export const profileSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    name: z.optional(z.string()),
    groups: z.array(z.string()),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'Profile' });

export const accountExportSchema = z
  .catchall(
    z.object({
      profile: profileSchema,
      documents: z.array(z.unknown()),
      files: z.array(z.unknown()),
      devices: z.array(z.unknown()),
      notifications: z.array(z.unknown()),
      location: z.union([storedLocationSchema, z.null()]),
    }),
    // Every other kind of owned data (e.g. topic follows) comes as one more list.
    z.array(z.unknown()),
  )
  .register(z.globalRegistry, { id: 'AccountExport' });

export const adminUserSchema = z
  .object({ userId: z.string(), email: z.string(), enabled: z.boolean(), groups: z.array(z.string()), createdAt: z.string() })
  .register(z.globalRegistry, { id: 'AdminUser' });

// Public routes

export const signUpOperation = defineOperation({
  operationId: 'signUp',
  method: 'POST',
  path: '/auth/sign-up',
  auth: 'none',
  summary: 'Creates an account; a confirmation code is emailed.',
  tag: 'auth',
  body: z.strictObject({ email, password, name: z.optional(name) }),
  responses: { 201: { description: 'Account created, not yet confirmed', schema: signUpResultSchema } },
});

export const confirmSignUpOperation = defineOperation({
  operationId: 'confirmSignUp',
  method: 'POST',
  path: '/auth/confirm-sign-up',
  auth: 'none',
  summary: 'Confirms an account with the emailed code (400 CodeMismatch / CodeExpired).',
  tag: 'auth',
  body: z.strictObject({ email, code }),
  responses: { 204: noContent },
});

export const resendConfirmationOperation = defineOperation({
  operationId: 'resendConfirmation',
  method: 'POST',
  path: '/auth/resend-confirmation',
  auth: 'none',
  summary: 'Emails a new confirmation code; answers the same whether or not the account exists.',
  tag: 'auth',
  body: z.strictObject({ email }),
  responses: { 202: { description: 'Accepted' } },
});

export const signInOperation = defineOperation({
  operationId: 'signIn',
  method: 'POST',
  path: '/auth/sign-in',
  auth: 'none',
  summary: 'Signs in with email and password (401 InvalidCredentials, also when a password reset is required; 403 UserNotConfirmed).',
  tag: 'auth',
  body: z.strictObject({ email, password }),
  responses: { 200: { description: 'Tokens, or a challenge to answer', schema: z.union([tokensSchema, challengeSchema]) } },
});

export const respondToChallengeOperation = defineOperation({
  operationId: 'respondToChallenge',
  method: 'POST',
  path: '/auth/respond-to-challenge',
  auth: 'none',
  summary:
    'Answers the challenge sign-in returned (its `session` names it): `newPassword` for NEW_PASSWORD_REQUIRED, ' +
    '`code` for SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP. Any other challenge (e.g. MFA_SETUP), or the wrong kind of ' +
    'answer, is 400 ValidationFailed.',
  tag: 'auth',
  body: z
    .strictObject({
      email,
      session: z.string().check(z.minLength(1), z.maxLength(4096)),
      newPassword: z.optional(password),
      code: z.optional(code),
    })
    .check(
      z.refine((body) => (body.newPassword === undefined) !== (body.code === undefined), {
        message: 'Send either newPassword (NEW_PASSWORD_REQUIRED) or code (MFA)',
      }),
    ),
  responses: { 200: { description: 'Tokens, or the next challenge', schema: z.union([tokensSchema, challengeSchema]) } },
});

export const refreshOperation = defineOperation({
  operationId: 'refreshTokens',
  method: 'POST',
  path: '/auth/refresh',
  auth: 'none',
  summary: 'New access and ID tokens for a refresh token (401 when it is revoked or invalid).',
  tag: 'auth',
  body: z.strictObject({ refreshToken: z.string().check(z.minLength(1, 'Required'), z.maxLength(16_384)) }),
  responses: { 200: { description: 'Tokens', schema: refreshedTokensSchema } },
});

export const forgotPasswordOperation = defineOperation({
  operationId: 'forgotPassword',
  method: 'POST',
  path: '/auth/forgot-password',
  auth: 'none',
  summary: 'Emails a password-reset code; always answers 202.',
  tag: 'auth',
  body: z.strictObject({ email }),
  responses: { 202: { description: 'Accepted' } },
});

export const resetPasswordOperation = defineOperation({
  operationId: 'resetPassword',
  method: 'POST',
  path: '/auth/reset-password',
  auth: 'none',
  summary: 'Sets a new password with the emailed reset code.',
  tag: 'auth',
  body: z.strictObject({ email, code, newPassword: password }),
  responses: { 204: noContent },
});

// The caller's own account

export const signOutOperation = defineOperation({
  operationId: 'signOut',
  method: 'POST',
  path: '/auth/sign-out',
  auth: 'required',
  summary: "Signs out everywhere: the caller's refresh tokens stop working.",
  tag: 'auth',
  responses: { 204: noContent },
});

export const getMeOperation = defineOperation({
  operationId: 'getMe',
  method: 'GET',
  path: '/me',
  auth: 'required',
  summary: "The caller's profile.",
  tag: 'account',
  responses: { 200: { description: 'Profile', schema: profileSchema } },
});

export const updateMeOperation = defineOperation({
  operationId: 'updateMe',
  method: 'PATCH',
  path: '/me',
  auth: 'required',
  summary: "Changes the caller's profile; `null` removes the name.",
  tag: 'account',
  body: z.strictObject({ name: z.optional(z.nullable(name)) }),
  responses: { 200: { description: 'Profile', schema: profileSchema } },
});

export const changePasswordOperation = defineOperation({
  operationId: 'changePassword',
  method: 'POST',
  path: '/me/change-password',
  auth: 'required',
  summary: "Changes the caller's password (401 InvalidCredentials when the current one is wrong).",
  tag: 'account',
  body: z.strictObject({ currentPassword: password, newPassword: password }),
  responses: { 204: noContent },
});

export const exportMeOperation = defineOperation({
  operationId: 'exportMe',
  method: 'GET',
  path: '/me/export',
  auth: 'required',
  summary: 'Everything the caller owns, as JSON.',
  tag: 'account',
  responses: { 200: { description: 'Export', schema: accountExportSchema } },
});

// DELETE /me has no schema: declared in its own module, so its function builds none of the above.
export { deleteMeOperation };

// Administration (the admin group only; others get 403)

const userParams = z.object({ userId });
const userGroupParams = z.object({ userId, group: groupName });

export const listUsersOperation = defineOperation({
  operationId: 'listUsers',
  method: 'GET',
  path: '/admin/users',
  auth: 'required',
  summary: 'A page of users (admin only).',
  tag: 'admin',
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of users', schema: pageOf(adminUserSchema) } },
});

export const addUserToGroupOperation = defineOperation({
  operationId: 'addUserToGroup',
  method: 'PUT',
  path: '/admin/users/{userId}/groups/{group}',
  auth: 'required',
  summary: 'Adds a user to a group (admin only).',
  tag: 'admin',
  params: userGroupParams,
  responses: { 204: noContent },
});

export const removeUserFromGroupOperation = defineOperation({
  operationId: 'removeUserFromGroup',
  method: 'DELETE',
  path: '/admin/users/{userId}/groups/{group}',
  auth: 'required',
  summary: 'Removes a user from a group (admin only).',
  tag: 'admin',
  params: userGroupParams,
  responses: { 204: noContent },
});

export const disableUserOperation = defineOperation({
  operationId: 'disableUser',
  method: 'POST',
  path: '/admin/users/{userId}/disable',
  auth: 'required',
  summary: 'Disables a user: no more sign-in or refresh (admin only).',
  tag: 'admin',
  params: userParams,
  responses: { 204: noContent },
});

export const enableUserOperation = defineOperation({
  operationId: 'enableUser',
  method: 'POST',
  path: '/admin/users/{userId}/enable',
  auth: 'required',
  summary: 'Enables a disabled user again (admin only).',
  tag: 'admin',
  params: userParams,
  responses: { 204: noContent },
});

export const authOperations: readonly Operation[] = [
  signUpOperation,
  confirmSignUpOperation,
  resendConfirmationOperation,
  signInOperation,
  respondToChallengeOperation,
  refreshOperation,
  forgotPasswordOperation,
  resetPasswordOperation,
  signOutOperation,
  getMeOperation,
  updateMeOperation,
  changePasswordOperation,
  exportMeOperation,
  deleteMeOperation,
  listUsersOperation,
  addUserToGroupOperation,
  removeUserFromGroupOperation,
  disableUserOperation,
  enableUserOperation,
];
