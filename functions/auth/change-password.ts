import { changePasswordOperation } from '../contract/auth.js';
import { changePassword } from '../core/auth/account.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { accessTokenOf } from './access-token.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(changePasswordOperation, async ({ headers, body }) => {
  await changePassword(flows, accessTokenOf(headers), body);
  return noContent();
});
