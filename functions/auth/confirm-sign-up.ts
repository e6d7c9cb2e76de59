import { confirmSignUpOperation } from '../contract/auth.js';
import { confirmSignUp } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { clientContextOf } from './client-context.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(confirmSignUpOperation, async ({ body, event }) => {
  await confirmSignUp(flows, body, clientContextOf(event));
  return noContent();
});
