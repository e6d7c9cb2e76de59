import { refreshOperation } from '../contract/auth.js';
import { refresh } from '../core/auth/sessions.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { clientContextOf } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(refreshOperation, async ({ body, event }) =>
  ok(await refresh(flows, body, clientContextOf(event)), { 'cache-control': 'no-store' }),
);
