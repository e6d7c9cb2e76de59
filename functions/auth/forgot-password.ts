import { forgotPasswordOperation } from '../contract/auth.js';
import { forgotPassword } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { accepted } from '../shared/http-result.js';
import { authFlows } from './dependencies.js';

const flows = authFlows();

export const handler = httpHandler(forgotPasswordOperation, async ({ body }) => {
  await forgotPassword(flows, body);
  return accepted();
});
