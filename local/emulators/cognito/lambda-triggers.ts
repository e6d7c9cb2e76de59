/**
 * How the emulator reaches Lambda triggers: `POST <endpoint>/2015-03-31/functions/<name>/invocations`,
 * the AWS Lambda Invoke API, with the event Cognito would send. A small fetch client stands in for
 * the aws-sdk v2 `Lambda` client cognito-local expects, so v2 (and its end-of-support warning) is
 * never loaded.
 */
import type { LambdaService } from 'cognito-local/lib/services/index.js';
import { CognitoError } from 'cognito-local/lib/errors.js';
import type { ClaimsOverrideDetails, TokenRequest } from './token-issuer.js';

export type TriggerName = 'PostConfirmation' | 'PreSignUp' | 'CustomMessage' | 'PreTokenGeneration';

/** Trigger name → Lambda function name, as in the user pool's `LambdaConfig`. */
export type TriggerFunctions = Partial<Record<TriggerName, string>>;

type InvokeResult = { StatusCode: number; FunctionError?: string; Payload: string };

/** What cognito-local's LambdaService calls on its client: `invoke(params).promise()`. */
type LambdaClientLike = {
  invoke(params: { FunctionName: string; InvocationType?: string; Payload: string }): { promise(): Promise<InvokeResult> };
};

/** Cognito's `callerContext.awsSdkVersion` for calls that come through its API. */
const CALLER_SDK_VERSION = 'aws-sdk-unknown-unknown';

async function invoke(endpoint: string, functionName: string, payload: string): Promise<InvokeResult> {
  const url = `${endpoint.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body: payload,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Invoking ${functionName} failed: HTTP ${response.status}`);
  return { StatusCode: response.status, FunctionError: response.headers.get('x-amz-function-error') ?? undefined, Payload: text };
}

/** Gives cognito-local's events the fields Cognito fills in (it sends version "0" and region "local"). */
function asCognitoEvent(payload: string, region: string): string {
  const event = JSON.parse(payload) as Record<string, unknown> & { callerContext?: Record<string, unknown> };
  return JSON.stringify({
    ...event,
    version: '1',
    region,
    callerContext: { ...event.callerContext, awsSdkVersion: CALLER_SDK_VERSION },
  });
}

/** The client handed to cognito-local's `LambdaService`. */
export function lambdaClientFor(endpoint: string, region: string): ConstructorParameters<typeof LambdaService>[1] {
  const client: LambdaClientLike = {
    invoke: (params) => ({ promise: () => invoke(endpoint, params.FunctionName, asCognitoEvent(params.Payload, region)) }),
  };
  // cognito-local types this as aws-sdk v2's Lambda class; it only ever calls invoke().promise().
  return client as unknown as ConstructorParameters<typeof LambdaService>[1];
}

/**
 * Invokes a trigger with an event built here (for events cognito-local builds incompletely) and
 * returns its `response`, failing the way Cognito does when the function fails.
 */
export async function invokeTrigger(
  endpoint: string,
  trigger: TriggerName,
  functionName: string,
  event: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let result: InvokeResult;
  try {
    result = await invoke(endpoint, functionName, JSON.stringify({ version: '1', ...event }));
  } catch {
    throw new CognitoError('UnexpectedLambdaException', `${trigger} invocation failed due to error Socket timeout.`);
  }
  const payload = result.Payload ? (JSON.parse(result.Payload) as Record<string, unknown>) : {};
  if (result.FunctionError) {
    const reason = typeof payload.errorMessage === 'string' ? payload.errorMessage : result.FunctionError;
    throw new CognitoError('UserLambdaValidationException', `${trigger} failed with error ${reason}.`);
  }
  const response = payload.response;
  return response && typeof response === 'object' ? (response as Record<string, unknown>) : {};
}

export function callerContext(clientId: string | null): Record<string, unknown> {
  return { awsSdkVersion: CALLER_SDK_VERSION, clientId: clientId ?? 'CLIENT_ID_NOT_APPLICABLE' };
}

/**
 * The pre token generation trigger as Cognito calls it (event version 1). cognito-local's own call
 * sends an empty `groupConfiguration`, so the user's groups never reach the function.
 */
export function preTokenGenerationTrigger(
  endpoint: string,
  functionName: string,
  pool: { region: string; userPoolId: string },
): (request: TokenRequest) => Promise<ClaimsOverrideDetails | undefined> {
  return async ({ user, groups, client, clientMetadata, source }) => {
    const userAttributes = Object.fromEntries(user.Attributes.map((entry) => [entry.Name, entry.Value ?? '']));
    const response = await invokeTrigger(endpoint, 'PreTokenGeneration', functionName, {
      triggerSource: `TokenGeneration_${source}`,
      region: pool.region,
      userPoolId: pool.userPoolId,
      userName: user.Username,
      callerContext: callerContext(client.ClientId),
      request: {
        userAttributes: { ...userAttributes, 'cognito:user_status': user.UserStatus },
        groupConfiguration: { groupsToOverride: [...groups], iamRolesToOverride: [], preferredRole: null },
        ...(clientMetadata ? { clientMetadata } : {}),
      },
      response: { claimsOverrideDetails: null },
    });
    const details = response.claimsOverrideDetails;
    return details && typeof details === 'object' ? (details as ClaimsOverrideDetails) : undefined;
  };
}
