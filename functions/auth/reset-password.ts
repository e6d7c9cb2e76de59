import { resetPasswordOperation } from '../contract/auth.js';
import { resetPassword } from '../core/auth/registration.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { authFlows } from './dependencies.js';

const flows = authFlows();

export const handler = httpHandler(resetPasswordOperation, async ({ body }) => {
  await resetPassword(flows, body);
  return noContent();
});
