/**
 * The exceptions real Cognito answers with, under the names (`__type`) and messages it uses, so
 * handlers written against the cloud branch on the same `error.name` locally. They are
 * cognito-local's `CognitoError`, which its HTTP server turns into a 400 `{ __type, message }`.
 */
import { CognitoError } from 'cognito-local/lib/errors.js';

export const cognitoError = {
  incorrectCredentials: () => new CognitoError('NotAuthorizedException', 'Incorrect username or password.'),
  userDisabled: () => new CognitoError('NotAuthorizedException', 'User is disabled.'),
  notAuthorized: (message: string) => new CognitoError('NotAuthorizedException', message),
  userNotConfirmed: () => new CognitoError('UserNotConfirmedException', 'User is not confirmed.'),
  passwordResetRequired: () => new CognitoError('PasswordResetRequiredException', 'Password reset required for the user'),
  invalidPassword: (message: string) => new CognitoError('InvalidPasswordException', message),
  codeMismatch: () => new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.'),
  expiredCode: () => new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.'),
  usernameExists: () => new CognitoError('UsernameExistsException', 'An account with the given email already exists.'),
  aliasExists: () => new CognitoError('AliasExistsException', 'An account with the given email already exists.'),
  userNotFound: () => new CognitoError('UserNotFoundException', 'User does not exist.'),
  invalidParameter: (message: string) => new CognitoError('InvalidParameterException', message),
  clientNotFound: (clientId: string) =>
    new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`),
};

/** cognito-local's wording for errors it raises itself, replaced by Cognito's. */
const MESSAGES_BY_TYPE: Record<string, string> = {
  UserNotFoundException: 'User does not exist.',
  CodeMismatchException: 'Invalid verification code provided, please try again.',
  ExpiredCodeException: 'Invalid code provided, please request a code again.',
};

/** cognito-local's names that Cognito spells otherwise. */
const TYPES_BY_TYPE: Record<string, string> = {
  UnexpectedLambdaExceptionException: 'UnexpectedLambdaException',
};

/** Rewrites an error from cognito-local's own targets into Cognito's name and wording; others pass through. */
export function inCognitoWords(error: unknown): unknown {
  if (!(error instanceof CognitoError)) return error;
  const code = TYPES_BY_TYPE[error.code] ?? error.code;
  const message = MESSAGES_BY_TYPE[code] ?? error.message;
  return code !== error.code || message !== error.message ? new CognitoError(code, message) : error;
}
