import { enableUserOperation } from '../contract/auth.js';
import { enableUser } from '../core/auth/user-admin.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { adminDeps } from './auth-wiring.js';

const deps = adminDeps();

export const handler = httpHandler(enableUserOperation, async ({ caller, params }) => {
  await enableUser(deps, caller, params);
  return noContent();
});
