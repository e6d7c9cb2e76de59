/**
 * Cognito's exceptions as domain errors. Each call site may word an exception differently (a
 * `NotAuthorizedException` is wrong credentials at sign-in but a revoked token at refresh), so
 * callers pass overrides; what neither names stays unexpected (a generic 500, logged).
 * Messages are ours, never Cognito's, except the password policy's, which tells the user what to fix.
 */
import {
  ApiError,
  CodeExpiredError,
  CodeMismatchError,
  ForbiddenError,
  InvalidPasswordError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  UserExistsError,
  UserNotConfirmedError,
  ValidationError,
} from '../core/errors.js';

/** Per exception name: the error to throw instead, or `undefined` for the default translation. */
export type CognitoErrorOverrides = Partial<Record<string, (error: Error) => Error | undefined>>;

const throttled = (error: Error) => new TooManyRequestsError(undefined, { cause: error });

const DEFAULTS: Record<string, (error: Error) => ApiError> = {
  UsernameExistsException: (error) => new UserExistsError(undefined, { cause: error }),
  AliasExistsException: (error) => new UserExistsError(undefined, { cause: error }),
  InvalidPasswordException: (error) => new InvalidPasswordError(policyMessage(error), { cause: error }),
  PasswordHistoryPolicyViolationException: (error) =>
    new InvalidPasswordError('This password was used recently: choose one you have not used before.', { cause: error }),
  CodeMismatchException: (error) => new CodeMismatchError(undefined, { cause: error }),
  ExpiredCodeException: (error) => new CodeExpiredError(undefined, { cause: error }),
  UserNotConfirmedException: (error) => new UserNotConfirmedError(undefined, { cause: error }),
  PasswordResetRequiredException: (error) =>
    new ForbiddenError('A password reset is required: ask for a code with forgot-password.', { cause: error }),
  UserNotFoundException: (error) => new NotFoundError('No such user.', { cause: error }),
  ResourceNotFoundException: (error) => new NotFoundError(undefined, { cause: error }),
  NotAuthorizedException: (error) => new UnauthorizedError(undefined, { cause: error }),
  InvalidParameterException: (error) => new ValidationError('The request was refused as invalid.', { cause: error }),
  TooManyRequestsException: throttled,
  LimitExceededException: throttled,
  TooManyFailedAttemptsException: throttled,
  ThrottlingException: throttled,
};

/** The domain error for a Cognito failure, or the failure itself when it is not one we expect. */
export function fromCognitoError(error: unknown, overrides: CognitoErrorOverrides = {}): unknown {
  if (!(error instanceof Error)) return error;
  return overrides[error.name]?.(error) ?? DEFAULTS[error.name]?.(error) ?? error;
}

/**
 * Cognito checks a password against its own API constraints (at least 6 characters, no leading
 * or trailing space) before the pool's policy, and says InvalidParameterException naming the
 * parameter: "Value at 'password' failed to satisfy constraint: …". When `parameter` is the one
 * named, that is an InvalidPassword for the user to fix; other invalid parameters keep the default.
 *
 * @example
 * callCognito(() => client.send(new SignUpCommand(input)), passwordConstraint(/'password'/));
 */
export function passwordConstraint(parameter: RegExp): CognitoErrorOverrides {
  return {
    InvalidParameterException: (error) => (parameter.test(error.message ?? '') ? passwordConstraintError(error) : undefined),
  };
}

export function passwordConstraintError(error: Error): InvalidPasswordError {
  const message = error.message ?? '';
  const reason = /length/i.test(message)
    ? 'The password does not satisfy the password policy: it is too short.'
    : /pattern/i.test(message)
      ? 'The password must not begin or end with a space.'
      : 'The password does not satisfy the password policy.';
  return new InvalidPasswordError(reason, { cause: error });
}

/** Runs a Cognito call, rethrowing its failure as a domain error. */
export async function callCognito<T>(call: () => Promise<T>, overrides?: CognitoErrorOverrides): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromCognitoError(error, overrides);
  }
}

/** Cognito's policy message ("Password did not conform with policy: …") is the user's to read. */
function policyMessage(error: Error): string {
  const message = error.message?.trim();
  return message && message.length <= 300 ? message : 'The password does not satisfy the password policy.';
}
