import { addUserToGroupOperation } from '../contract/auth.js';
import { addUserToGroup } from '../core/auth/user-admin.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { adminDeps } from './auth-wiring.js';

const deps = adminDeps();

export const handler = httpHandler(addUserToGroupOperation, async ({ caller, params }) => {
  await addUserToGroup(deps, caller, params);
  return noContent();
});
