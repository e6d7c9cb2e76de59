/**
 * Domain errors. Use cases throw these; one middleware (functions/shared/error-response.ts) maps
 * them to the contract's error body. Anything that is not an `ApiError` becomes a generic 500.
 */

/** One entry of `error.details`: which input was wrong and why. */
export type ErrorDetail = { path?: string; index?: number; code?: string; message: string };

/** The contract's error codes (docs/api/README.md). */
export type ErrorCode =
  | 'ValidationFailed'
  | 'UnsupportedQuery'
  | 'CodeMismatch'
  | 'CodeExpired'
  | 'InvalidPassword'
  | 'Unauthorized'
  | 'InvalidCredentials'
  | 'Forbidden'
  | 'UserNotConfirmed'
  | 'NotFound'
  | 'Conflict'
  | 'UserExists'
  | 'TransactionCanceled'
  | 'PreconditionFailed'
  | 'PayloadTooLarge'
  | 'TooManyRequests'
  | 'Internal';

type ApiErrorOptions = { details?: ErrorDetail[]; cause?: unknown };

/** Base class of every error that may reach the client with its own status and message. */
export class ApiError extends Error {
  readonly details: ErrorDetail[] | undefined;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

export class ValidationError extends ApiError {
  constructor(message: string, options?: ApiErrorOptions) {
    super(400, 'ValidationFailed', message, options);
  }
}

export class UnsupportedQueryError extends ApiError {
  constructor(message: string, options?: ApiErrorOptions) {
    super(400, 'UnsupportedQuery', message, options);
  }
}

export class CodeMismatchError extends ApiError {
  constructor(message = 'The code is not the one we sent.', options?: ApiErrorOptions) {
    super(400, 'CodeMismatch', message, options);
  }
}

export class CodeExpiredError extends ApiError {
  constructor(message = 'The code has expired; ask for a new one.', options?: ApiErrorOptions) {
    super(400, 'CodeExpired', message, options);
  }
}

export class InvalidPasswordError extends ApiError {
  constructor(message: string, options?: ApiErrorOptions) {
    super(400, 'InvalidPassword', message, options);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'A valid access token is required.', options?: ApiErrorOptions) {
    super(401, 'Unauthorized', message, options);
  }
}

export class InvalidCredentialsError extends ApiError {
  constructor(message = 'Incorrect email or password.', options?: ApiErrorOptions) {
    super(401, 'InvalidCredentials', message, options);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'You are not allowed to do this.', options?: ApiErrorOptions) {
    super(403, 'Forbidden', message, options);
  }
}

export class UserNotConfirmedError extends ApiError {
  constructor(message = 'Confirm your email address before signing in.', options?: ApiErrorOptions) {
    super(403, 'UserNotConfirmed', message, options);
  }
}

export class NotFoundError extends ApiError {
  constructor(message = 'Not found.', options?: ApiErrorOptions) {
    super(404, 'NotFound', message, options);
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, options?: ApiErrorOptions) {
    super(409, 'Conflict', message, options);
  }
}

export class UserExistsError extends ApiError {
  constructor(message = 'An account with this email already exists.', options?: ApiErrorOptions) {
    super(409, 'UserExists', message, options);
  }
}

export class TransactionCanceledError extends ApiError {
  constructor(message: string, options?: ApiErrorOptions) {
    super(409, 'TransactionCanceled', message, options);
  }
}

export class PreconditionFailedError extends ApiError {
  constructor(message = 'The document has changed since you read it.', options?: ApiErrorOptions) {
    super(412, 'PreconditionFailed', message, options);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string, options?: ApiErrorOptions) {
    super(413, 'PayloadTooLarge', message, options);
  }
}

export class TooManyRequestsError extends ApiError {
  constructor(message = 'Too many requests; retry after a short wait.', options?: ApiErrorOptions) {
    super(429, 'TooManyRequests', message, options);
  }
}
