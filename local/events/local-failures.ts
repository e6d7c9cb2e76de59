/**
 * Local mode's on-failure destination: what the cloud sends to the dead-letter queue (an SQS
 * queue, alarmed) after Lambda's retries — an asynchronous event a function kept failing on, or
 * stream records the event dispatcher gave up on — kept here in the same record shapes Lambda
 * writes, printed to the console and readable at `GET /_local/failures` (since this start).
 */
import { randomUUID } from 'node:crypto';

type FunctionErrorPayload = { errorType: string; errorMessage: string };

/** Lambda's record for an asynchronous invocation that failed every attempt. */
export type AsyncFailureRecord = {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetriesExhausted'; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: FunctionErrorPayload;
};

/** Lambda's record for stream records an event source mapping gave up on (the records stay in the stream). */
export type StreamFailureRecord = {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetryAttemptsExhausted'; approximateInvokeCount: number };
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  DDBStreamBatchInfo: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number; streamArn: string };
};

/** A failure as local mode keeps it: Lambda's record, with the function's name on top for reading. */
export type LocalFailure = { functionName: string } & (AsyncFailureRecord | StreamFailureRecord);

export class LocalFailures {
  private failures: LocalFailure[] = [];

  constructor(
    private readonly region: string,
    private readonly print: (line: string) => void = () => {},
  ) {}

  /** An asynchronous event (S3, a schedule, the dispatcher's Invoke) that failed all its attempts. */
  addAsync(failure: { functionName: string; payload: unknown; error: Error; attempts: number }): void {
    const { functionName } = failure;
    this.add({
      functionName,
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: randomUUID(), functionArn: `${this.arnOf(functionName)}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: failure.attempts },
      requestPayload: failure.payload,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: errorPayload(failure.error),
    });
  }

  /** Stream records a consumer gave up on after its retries. */
  addStream(failure: { functionName: string; shardId: string; streamArn: string; sequenceNumbers: readonly string[]; attempts: number }): void {
    const { functionName } = failure;
    this.add({
      functionName,
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: randomUUID(), functionArn: this.arnOf(functionName), condition: 'RetryAttemptsExhausted', approximateInvokeCount: failure.attempts },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      DDBStreamBatchInfo: {
        shardId: failure.shardId,
        startSequenceNumber: failure.sequenceNumbers[0] ?? '',
        endSequenceNumber: failure.sequenceNumbers.at(-1) ?? '',
        batchSize: failure.sequenceNumbers.length,
        streamArn: failure.streamArn,
      },
    });
  }

  toJSON(): { failures: LocalFailure[] } {
    return { failures: [...this.failures] };
  }

  clear(): void {
    this.failures = [];
  }

  private add(failure: LocalFailure): void {
    this.failures.push(failure);
    const what = 'responsePayload' in failure ? `${failure.responsePayload.errorType}: ${failure.responsePayload.errorMessage}` : `${failure.DDBStreamBatchInfo.batchSize} stream record(s)`;
    this.print(`✖  ${failure.functionName} gave up after ${failure.requestContext.approximateInvokeCount} attempts (${what}); see /_local/failures`);
  }

  private arnOf(functionName: string): string {
    return `arn:aws:lambda:${this.region}:000000000000:function:${functionName}`;
  }
}

function errorPayload(error: Error): FunctionErrorPayload {
  const failure = error as Error & { errorType?: string; errorMessage?: string };
  return { errorType: failure.errorType ?? error.name, errorMessage: failure.errorMessage ?? error.message };
}
