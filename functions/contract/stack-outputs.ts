/**
 * What a deployed stack tells its clients, versioned. `cdk deploy --outputs-file` writes the
 * stack's outputs; `npm run outputs` validates them against `stackOutputsSchema` and writes the
 * client config (`clientConfigSchema`) that the client SDK and example frontend read.
 *
 * Within a version, fields are only ever added, and added ones are optional (outputs of a stack
 * deployed before them still read): `RealtimeUrl` came with realtime.
 */
import * as z from '../core/zod.js';

export const OUTPUTS_VERSION = 1;

/** Output keys of the stack (CfnOutput ids). */
export const stackOutputsSchema = z.object({
  OutputsVersion: z.literal(String(OUTPUTS_VERSION)),
  ApiUrl: z.url(),
  Region: z.string().check(z.minLength(1)),
  UserPoolId: z.string().check(z.regex(/^[\w-]+_[0-9A-Za-z]+$/)),
  UserPoolClientId: z.string().check(z.minLength(1)),
  BucketName: z.string().check(z.minLength(3)),
  /** The WebSocket API (`wss://…/realtime`); absent from stacks deployed before realtime. */
  RealtimeUrl: z.optional(z.url({ protocol: /^wss$/ })),
});

export const clientConfigSchema = z.object({
  version: z.literal(OUTPUTS_VERSION),
  stage: z.string(),
  apiUrl: z.url(),
  region: z.string(),
  userPoolId: z.string(),
  userPoolClientId: z.string(),
  bucketName: z.string(),
  realtimeUrl: z.optional(z.string()),
});

export type StackOutputs = z.infer<typeof stackOutputsSchema>;
export type ClientConfig = z.infer<typeof clientConfigSchema>;

/** Converts one stack's outputs into the client config. */
export function clientConfigFrom(stage: string, outputs: StackOutputs): ClientConfig {
  return {
    version: OUTPUTS_VERSION,
    stage,
    apiUrl: outputs.ApiUrl.replace(/\/$/, ''),
    region: outputs.Region,
    userPoolId: outputs.UserPoolId,
    userPoolClientId: outputs.UserPoolClientId,
    bucketName: outputs.BucketName,
    ...(outputs.RealtimeUrl ? { realtimeUrl: outputs.RealtimeUrl } : {}),
  };
}
