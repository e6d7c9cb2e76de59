/**
 * The one place where errors become HTTP responses in the contract's shape. Domain errors keep
 * their status, code and message; the body parser's and validator's failures become 400; anything
 * else is a generic 500 whose details go to the log only, never to the client.
 */
import { $ZodError } from 'zod/v4/core';
import { ApiError, ValidationError, type ErrorDetail } from '../core/errors.js';
import { validationErrorFrom } from '../core/validation.js';

export { validationErrorFrom };
import type { HttpResult } from './http-result.js';

export type ErrorBody = {
  error: { code: string; message: string; details?: ErrorDetail[]; requestId: string };
};

/** Errors thrown by middy's own middlewares carry an HTTP status (http-errors style). */
function isMiddyHttpError(error: unknown): error is Error & { statusCode: number; expose?: boolean } {
  return error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

export function errorResult(error: unknown, requestId: string): { result: HttpResult; unexpected: boolean } {
  let apiError: ApiError | undefined;
  if (error instanceof ApiError) apiError = error;
  else if (error instanceof $ZodError) apiError = validationErrorFrom(error);
  else if (isMiddyHttpError(error) && error.statusCode >= 400 && error.statusCode < 500) {
    // @middy/http-json-body-parser: "Invalid or malformed JSON was provided" (415).
    apiError = new ValidationError('The body is not valid JSON.', { cause: error });
  }
  if (!apiError) {
    return { result: bodyFor(500, 'Internal', 'Something went wrong on our side.', requestId), unexpected: true };
  }
  return { result: bodyFor(apiError.status, apiError.code, apiError.message, requestId, apiError.details), unexpected: false };
}

function bodyFor(status: number, code: string, message: string, requestId: string, details?: ErrorDetail[]): HttpResult {
  const body: ErrorBody = { error: { code, message, ...(details?.length ? { details } : {}), requestId } };
  return { status, body };
}
