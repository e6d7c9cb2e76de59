/**
 * How the emulator reaches its Lambda triggers: in-process, through an `invoke(name, event)` the
 * caller provides (local mode passes its Lambda runtime's), with the event Cognito would send.
 * Failures read as Cognito reports them: a function that fails (throws, times out, crashes) →
 * UserLambdaValidationException "<Trigger> failed with error <message>."; a function that could not
 * be run at all → UnexpectedLambdaException.
 *
 * cognito-local builds most trigger events itself and calls them through an aws-sdk v2 `Lambda`
 * client; a small stand-in for that client calls `invoke` instead, so aws-sdk v2 (and its
 * end-of-support warning) is never loaded.
 */
import type { LambdaService } from 'cognito-local/lib/services/index.js';
import { CognitoError } from 'cognito-local/lib/errors.js';
import { FunctionError } from '../../runtime/lambda-runtime.js';
import type { ClaimsOverrideDetails, TokenRequest } from './token-issuer.js';

export type TriggerName = 'PostConfirmation' | 'PreSignUp' | 'CustomMessage' | 'PreTokenGeneration';

/** Trigger name → Lambda function name, as in the user pool's `LambdaConfig`. */
export type TriggerFunctions = Partial<Record<TriggerName, string>>;

/**
 * Runs a function synchronously (RequestResponse): resolves with its result; rejects with a
 * `FunctionError` when the function failed, with any other error when it could not be run.
 */
export type InvokeFunction = (functionName: string, event: unknown) => Promise<unknown>;

/** What Lambda's Invoke answers, as cognito-local reads it. */
type InvokeResult = { StatusCode: number; FunctionError?: string; Payload: string };

/** What cognito-local's LambdaService calls on its client: `invoke(params).promise()`. */
type LambdaClientLike = {
  invoke(params: { FunctionName: string; InvocationType?: string; Payload: string }): { promise(): Promise<InvokeResult> };
};

/** Cognito's `callerContext.awsSdkVersion` for calls that come through its API. */
const CALLER_SDK_VERSION = 'aws-sdk-unknown-unknown';

/** Lambda's answer to a synchronous invoke: the result, or the function's error with `FunctionError: Unhandled`. */
async function invokeLikeLambda(invoke: InvokeFunction, functionName: string, event: unknown): Promise<InvokeResult> {
  try {
    return { StatusCode: 200, Payload: JSON.stringify((await invoke(functionName, event)) ?? null) };
  } catch (error) {
    if (!(error instanceof FunctionError)) throw error;
    return {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage }),
    };
  }
}

/** Gives cognito-local's events the fields Cognito fills in (it sends version "0" and region "local"). */
function asCognitoEvent(payload: string, region: string): Record<string, unknown> {
  const event = JSON.parse(payload) as Record<string, unknown> & { callerContext?: Record<string, unknown> };
  return {
    ...event,
    version: '1',
    region,
    callerContext: { ...event.callerContext, awsSdkVersion: CALLER_SDK_VERSION },
  };
}

/** The client handed to cognito-local's `LambdaService`. */
export function lambdaClientFor(invoke: InvokeFunction, region: string): ConstructorParameters<typeof LambdaService>[1] {
  const client: LambdaClientLike = {
    invoke: (params) => ({ promise: () => invokeLikeLambda(invoke, params.FunctionName, asCognitoEvent(params.Payload, region)) }),
  };
  // cognito-local types this as aws-sdk v2's Lambda class; it only ever calls invoke().promise().
  return client as unknown as ConstructorParameters<typeof LambdaService>[1];
}

/**
 * Invokes a trigger with an event built here (for events cognito-local builds incompletely) and
 * returns its `response`, failing the way Cognito does when the function fails.
 */
export async function invokeTrigger(
  invoke: InvokeFunction,
  trigger: TriggerName,
  functionName: string,
  event: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let result: unknown;
  try {
    result = await invoke(functionName, { version: '1', ...event });
  } catch (error) {
    if (error instanceof FunctionError) {
      throw new CognitoError('UserLambdaValidationException', `${trigger} failed with error ${error.errorMessage}.`);
    }
    throw new CognitoError('UnexpectedLambdaException', `${trigger} invocation failed due to error ${(error as Error).message}.`);
  }
  const response = (result as { response?: unknown } | null)?.response;
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
  invoke: InvokeFunction,
  functionName: string,
  pool: { region: string; userPoolId: string },
): (request: TokenRequest) => Promise<ClaimsOverrideDetails | undefined> {
  return async ({ user, groups, client, clientMetadata, source }) => {
    const userAttributes = Object.fromEntries(user.Attributes.map((entry) => [entry.Name, entry.Value ?? '']));
    const response = await invokeTrigger(invoke, 'PreTokenGeneration', functionName, {
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
