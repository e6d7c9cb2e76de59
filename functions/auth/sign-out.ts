import { signOutOperation } from '../contract/auth.js';
import { signOut } from '../core/auth/sessions.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { accessTokenOf } from './access-token.js';
import { authFlows } from './auth-wiring.js';

const flows = authFlows();

export const handler = httpHandler(signOutOperation, async ({ headers }) => {
  await signOut(flows, accessTokenOf(headers));
  return noContent();
});
