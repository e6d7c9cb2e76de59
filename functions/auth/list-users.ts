import { listUsersOperation } from '../contract/auth.js';
import { listUsers } from '../core/auth/user-admin.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { listUsersDeps } from './auth-wiring.js';

const deps = listUsersDeps();

export const handler = httpHandler(listUsersOperation, async ({ caller, query }) => ok(await listUsers(deps, caller, query)));
