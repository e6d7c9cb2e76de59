import { updateMeOperation } from '../contract/auth.js';
import { updateProfile } from '../core/auth/account.js';
import { systemClock } from '../core/clock.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { profileStore, userDirectory } from './auth-wiring.js';

const deps = { directory: userDirectory(), profiles: profileStore(), clock: systemClock };

export const handler = httpHandler(updateMeOperation, async ({ caller, body }) => ok(await updateProfile(deps, caller, body)));
