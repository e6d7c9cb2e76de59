/**
 * Hands an event to a function for an asynchronous run (`Invoke` with `InvocationType: Event`):
 * Lambda queues it, answers 202, and from then on retries and failure destinations are Lambda's.
 * Locally, `AWS_ENDPOINT_URL_LAMBDA` points the same call at local mode's Invoke endpoint.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export class LambdaFunctionInvoker {
  constructor(private readonly client: LambdaClient) {}

  /** Resolves once Lambda accepted the event; rejects when it did not (the caller retries). */
  async invokeAsync(functionName: string, payload: unknown): Promise<void> {
    const { StatusCode } = await this.client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    if (StatusCode !== 202) throw new Error(`Lambda answered ${StatusCode} to an asynchronous invocation of ${functionName}`);
  }
}
