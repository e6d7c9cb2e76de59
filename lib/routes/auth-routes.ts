/**
 * The auth feature's section of the route table (lib/routes.ts): each route with exactly the
 * permissions its function uses. Cognito's public API (sign-up, sign-in, calls made with the
 * user's own access token) needs no IAM (`userPoolClient`); admin calls name their actions.
 */
import * as auth from '../../functions/contract/auth.js';
import { FILES_KEY_ROOT } from '../../functions/core/storage/file-record.js';
import { PUBLIC_AUTH_THROTTLE } from '../api/api-settings.js';
import { grants } from '../grants.js';
import type { RouteDefinition, TriggerDefinition } from '../route-types.js';

export const authRoutes: readonly RouteDefinition[] = [
  // Public
  { operation: auth.signUpOperation, handler: 'functions/auth/sign-up.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },
  { operation: auth.confirmSignUpOperation, handler: 'functions/auth/confirm-sign-up.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },
  { operation: auth.resendConfirmationOperation, handler: 'functions/auth/resend-confirmation.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },
  { operation: auth.signInOperation, handler: 'functions/auth/sign-in.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },
  { operation: auth.respondToChallengeOperation, handler: 'functions/auth/respond-to-challenge.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },
  { operation: auth.refreshOperation, handler: 'functions/auth/refresh-tokens.ts', grants: [grants.userPoolClient] },
  { operation: auth.forgotPasswordOperation, handler: 'functions/auth/forgot-password.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },
  { operation: auth.resetPasswordOperation, handler: 'functions/auth/reset-password.ts', grants: [grants.userPoolClient], throttle: PUBLIC_AUTH_THROTTLE },

  // The caller's own account
  { operation: auth.signOutOperation, handler: 'functions/auth/sign-out.ts', grants: [grants.userPoolClient] },
  {
    operation: auth.getMeOperation,
    handler: 'functions/auth/get-me.ts',
    grants: [grants.userPool('AdminGetUser', 'AdminListGroupsForUser')],
  },
  {
    operation: auth.updateMeOperation,
    handler: 'functions/auth/update-me.ts',
    grants: [grants.userPool('AdminUpdateUserAttributes', 'AdminGetUser', 'AdminListGroupsForUser'), grants.tableWrite],
  },
  { operation: auth.changePasswordOperation, handler: 'functions/auth/change-password.ts', grants: [grants.userPoolClient] },
  {
    // Reads what `ownedData()` (functions/auth/auth-wiring.ts) lists: documents, file records, devices, topic follows, the inbox.
    operation: auth.exportMeOperation,
    handler: 'functions/auth/export-me.ts',
    grants: [grants.userPool('AdminGetUser', 'AdminListGroupsForUser'), grants.tableRead],
    timeoutSeconds: 29,
  },
  {
    // Erases what `ownedData()` (functions/auth/auth-wiring.ts) lists (documents, file records and
    // objects, devices with their SNS endpoints and subscriptions, topic follows, the inbox), then
    // the profile and the user.
    operation: auth.deleteMeOperation,
    handler: 'functions/auth/delete-me.ts',
    grants: [grants.userPool('AdminDeleteUser'), grants.tableReadWrite, grants.bucket('delete', FILES_KEY_ROOT), grants.push('Unsubscribe', 'DeleteEndpoint')],
    timeoutSeconds: 29,
  },

  // Administration (the use cases check the admin group)
  {
    operation: auth.listUsersOperation,
    handler: 'functions/auth/list-users.ts',
    // The cursor key signs its page cursors.
    grants: [grants.userPool('ListUsers', 'AdminListGroupsForUser'), grants.cursorKey],
    timeoutSeconds: 29,
  },
  { operation: auth.addUserToGroupOperation, handler: 'functions/auth/add-user-to-group.ts', grants: [grants.userPool('AdminAddUserToGroup')] },
  {
    operation: auth.removeUserFromGroupOperation,
    handler: 'functions/auth/remove-user-from-group.ts',
    grants: [grants.userPool('AdminRemoveUserFromGroup')],
  },
  { operation: auth.disableUserOperation, handler: 'functions/auth/disable-user.ts', grants: [grants.userPool('AdminDisableUser')] },
  { operation: auth.enableUserOperation, handler: 'functions/auth/enable-user.ts', grants: [grants.userPool('AdminEnableUser')] },
];

/** The auth feature's event-driven functions (lib/triggers.ts). */
export const authTriggers: readonly TriggerDefinition[] = [
  {
    name: 'AuthCreateProfile',
    source: 'cognito',
    event: 'PostConfirmation',
    handler: 'functions/auth/create-profile.ts',
    grants: [grants.tableWrite],
    // Cognito waits at most 5 seconds for a trigger.
    timeoutSeconds: 5,
  },
];
