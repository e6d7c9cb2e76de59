/**
 * The caller's access token, for the Cognito calls made with it (GlobalSignOut, ChangePassword).
 * On 🔒 routes API Gateway's JWT authorizer has already verified it and passes the header on.
 */
import { UnauthorizedError } from '../core/errors.js';

export function accessTokenOf(headers: Record<string, string | undefined>): string {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) throw new UnauthorizedError();
  return match[1];
}
