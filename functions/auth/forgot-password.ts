import { forgotPasswordOperation } from '../contract/auth.js';
import { forgotPassword } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { accepted } from '../shared/http-result.js';
import { clientContextOf, warnInLog } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(forgotPasswordOperation, async ({ body, event }) => {
  await forgotPassword(flows, body, clientContextOf(event), warnInLog);
  return accepted();
});
