import { getMeOperation } from '../contract/auth.js';
import { getProfile } from '../core/auth/account.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { userDirectory } from './auth-wiring.js';

const directory = userDirectory();

export const handler = httpHandler(getMeOperation, async ({ caller }) => ok(await getProfile(directory, caller)));
