import { resendConfirmationOperation } from '../contract/auth.js';
import { resendConfirmation } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { accepted } from '../shared/http-result.js';
import { clientContextOf, warnInLog } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(resendConfirmationOperation, async ({ body, event }) => {
  await resendConfirmation(flows, body, clientContextOf(event), warnInLog);
  return accepted();
});
