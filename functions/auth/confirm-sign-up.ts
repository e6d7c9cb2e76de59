import { confirmSignUpOperation } from '../contract/auth.js';
import { confirmSignUp } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { authFlows } from './dependencies.js';

const flows = authFlows();

export const handler = httpHandler(confirmSignUpOperation, async ({ body }) => {
  await confirmSignUp(flows, body);
  return noContent();
});
