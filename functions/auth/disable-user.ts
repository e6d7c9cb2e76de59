import { disableUserOperation } from '../contract/auth.js';
import { disableUser } from '../core/auth/user-admin.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { adminDeps } from './auth-wiring.js';

const deps = adminDeps();

export const handler = httpHandler(disableUserOperation, async ({ caller, params }) => {
  await disableUser(deps, caller, params);
  return noContent();
});
