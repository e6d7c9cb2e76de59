/**
 * The caller's access token, for the Cognito calls made with it (GlobalSignOut, ChangePassword).
 * On 🔒 routes API Gateway's JWT authorizer has already verified it and passes the header on.
 */
import { UnauthorizedError } from '../core/errors.js';
import { bearerToken } from '../shared/bearer-token.js';

export function accessTokenOf(headers: Record<string, string | undefined>): string {
  const token = bearerToken(headers.authorization);
  if (!token) throw new UnauthorizedError();
  return token;
}
