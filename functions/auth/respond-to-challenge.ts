import { respondToChallengeOperation } from '../contract/auth.js';
import { respondToChallenge } from '../core/auth/sessions.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { clientContextOf } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(respondToChallengeOperation, async ({ body, event }) =>
  ok(await respondToChallenge(flows, body, clientContextOf(event)), { 'cache-control': 'no-store' }),
);
