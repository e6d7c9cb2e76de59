import { resetPasswordOperation } from '../contract/auth.js';
import { resetPassword } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { clientContextOf } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(resetPasswordOperation, async ({ body, event }) => {
  await resetPassword(flows, body, clientContextOf(event));
  return noContent();
});
