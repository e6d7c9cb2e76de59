import { removeUserFromGroupOperation } from '../contract/auth.js';
import { removeUserFromGroup } from '../core/auth/user-admin.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { adminDeps } from './auth-wiring.js';

const deps = adminDeps();

export const handler = httpHandler(removeUserFromGroupOperation, async ({ caller, params }) => {
  await removeUserFromGroup(deps, caller, params);
  return noContent();
});
