/**
 * The one error every call rejects with: the contract's error body, API Gateway's own
 * `{ message }` answers (401, 429), storage refusals, network failures and aborts alike.
 */

/** The contract's codes (docs/api/README.md), plus the client's own for failures with no answer. */
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
  | 'Internal'
  /** No answer arrived (offline, DNS, connection reset, CORS refusal). `status` is 0. */
  | 'NetworkError'
  /** The call's `signal` was aborted. `status` is 0. */
  | 'Aborted'
  /** An upload the storage refused, or that the server rejected after checking it. */
  | 'UploadRejected'
  /** An upload did not become `ready` in time. `status` is 0. */
  | 'Timeout'
  | (string & {});

/** One entry of `details`: a field (`path`) for validation, an operation (`index`) for a batch. */
export type ErrorDetail = { path?: string; index?: number; code?: string; message: string };

/**
 * A failed call.
 *
 * @example
 * try {
 *   await client.collection('notes').update(id, { title }, { ifVersion: 3 });
 * } catch (error) {
 *   if (error instanceof LambaseError && error.code === 'PreconditionFailed') reload();
 *   else throw error;
 * }
 */
export class LambaseError extends Error {
  override readonly name = 'LambaseError';
  /** The HTTP status, or 0 when no answer arrived (`NetworkError`, `Aborted`). */
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** The server's request id (`x-request-id`, or API Gateway's `apigw-requestid`), for support. */
  readonly requestId: string | undefined;

  constructor(init: { status: number; code: ErrorCode; message: string; details?: ErrorDetail[]; requestId?: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
  }
}

/** API Gateway answers some statuses itself with `{ message }` only: the status names the code. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'ValidationFailed',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
};

/** The HTTP status that goes with a code (for realtime errors, which carry a code only). */
export function statusOf(code: ErrorCode): number {
  return Number(Object.keys(CODE_BY_STATUS).find((status) => CODE_BY_STATUS[Number(status)] === code) ?? 500);
}

/** Reads a failed response into a `LambaseError`, whatever produced its body. */
export async function errorFromResponse(response: Response): Promise<LambaseError> {
  const requestId = response.headers.get('x-request-id') ?? response.headers.get('apigw-requestid') ?? undefined;
  const text = await response.text().catch(() => '');
  const fallback = { status: response.status, code: CODE_BY_STATUS[response.status] ?? 'Internal', requestId };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // S3 answers a refused presigned POST in XML: keep its code and message.
    const s3 = /<Code>([^<]*)<\/Code>[\s\S]*?<Message>([^<]*)<\/Message>/.exec(text);
    if (s3) return new LambaseError({ ...fallback, code: 'UploadRejected', message: `${s3[1]}: ${s3[2]}`, details: [{ code: s3[1], message: s3[2]! }] });
    return new LambaseError({ ...fallback, message: text.slice(0, 200) || response.statusText || `HTTP ${response.status}` });
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string') {
    return new LambaseError({
      status: response.status,
      code: error.code,
      message: typeof error.message === 'string' ? error.message : error.code,
      details: Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [],
      requestId: typeof error.requestId === 'string' ? error.requestId : requestId,
    });
  }
  const message = (body as { message?: unknown } | null)?.message;
  return new LambaseError({ ...fallback, message: typeof message === 'string' ? message : `HTTP ${response.status}` });
}

/** A failure before any answer: the signal's abort, or the network's. */
export function errorWithoutResponse(cause: unknown, signal: AbortSignal | undefined): LambaseError {
  return signal?.aborted
    ? new LambaseError({ status: 0, code: 'Aborted', message: 'The call was aborted', cause: signal.reason })
    : new LambaseError({ status: 0, code: 'NetworkError', message: `The server could not be reached: ${(cause as Error)?.message ?? cause}`, cause });
}
