import { updateMeOperation } from '../contract/auth.js';
import { updateProfile } from '../core/auth/account.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { profileStore, userDirectory } from './dependencies.js';

const deps = { directory: userDirectory(), profiles: profileStore() };

export const handler = httpHandler(updateMeOperation, async ({ caller, body }) => ok(await updateProfile(deps, caller, body)));
