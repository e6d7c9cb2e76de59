/**
 * Parts of the AWS SDK that every client imports but no function of ours can reach, served to the
 * bundles as small stand-ins that throw if they are ever called. Each is kept out only under a
 * condition the bundle itself shows (its esbuild metafile); `absentPartsReached` checks it, and
 * test/unit/build/function-bundles.test.ts runs that check on every function's bundle.
 *
 * - **Event streams** (`@smithy/core/event-streams`, ~15 KB in every bundle): every protocol loads
 *   them for operations whose input or output is an event stream (S3 SelectObjectContent, Lambda
 *   InvokeWithResponseStream…), and the S3 and Lambda clients build a marshaller at construction.
 *   Reached only by sending such an operation, so: no bundled command has an event-stream member.
 * - **DynamoDB's endpoint cache** (`@aws-sdk/endpoint-cache` and its LRU from `mnemonist`, ~8 KB in
 *   every DynamoDB bundle): the client builds one at construction for endpoint discovery, which only
 *   the discovery middleware reads, and no DynamoDB command of this SDK adds it. So: the discovery
 *   middleware is not in the bundle.
 */
import path from 'node:path';
import type { Plugin } from 'esbuild';

/** Why a stand-in was reached: the build's check failed to see a way in. */
const absent = (what: string) =>
  `throw new Error(${JSON.stringify(`${what} is not in this function's bundle (build/absent-sdk-parts.ts): the build saw no way to reach it`)});`;

/** Each stand-in: the module it replaces, its source (`real` is the replaced module's resolved path). */
const STAND_INS: { module: string; contents: (real: string) => string }[] = [
  {
    module: '@smithy/core/event-streams',
    // The clients' configuration step stays the SDK's own; the marshaller it stores is never used.
    contents: (real) => `export { resolveEventStreamSerdeConfig } from ${JSON.stringify(path.join(path.dirname(real), 'eventstream-serde-config-resolver/EventStreamSerdeConfig.js'))};
class AbsentEventStreamMarshaller { serialize() { ${absent('Event-stream serialization')} } deserialize() { ${absent('Event-stream deserialization')} } }
export const eventStreamSerdeProvider = () => new AbsentEventStreamMarshaller();
export class EventStreamSerde { constructor() { ${absent('Event-stream serde')} } }`,
  },
  {
    module: '@aws-sdk/endpoint-cache',
    contents: () => `export class EndpointCache {
  getEndpoint() { ${absent('DynamoDB endpoint discovery')} }
  set() { ${absent('DynamoDB endpoint discovery')} }
  delete() { ${absent('DynamoDB endpoint discovery')} }
  has() { ${absent('DynamoDB endpoint discovery')} }
  clear() { ${absent('DynamoDB endpoint discovery')} }
}`,
  },
];

const NAMESPACE = 'lambase-absent-sdk-part';

/** Serves each stand-in in place of its module, wherever it is imported from (statically or by `import()`). */
export function absentSdkPartsPlugin(): Plugin {
  return {
    name: 'lambase-absent-sdk-parts',
    setup(pluginBuild) {
      for (const standIn of STAND_INS) {
        pluginBuild.onResolve({ filter: new RegExp(`^${standIn.module.replace(/[/.]/g, '\\$&')}$`) }, async (args) => {
          if (args.pluginData === NAMESPACE) return undefined;
          const real = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: NAMESPACE });
          if (real.errors.length > 0) return { errors: real.errors };
          return { path: standIn.module, namespace: NAMESPACE, pluginData: real.path };
        });
      }
      pluginBuild.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const standIn = STAND_INS.find((candidate) => candidate.module === args.path)!;
        const real = args.pluginData as string;
        return { contents: standIn.contents(real), loader: 'js', resolveDir: path.dirname(real) };
      });
    },
  };
}

/** The SDK commands a bundle holds, as `{ client, command }` (`@aws-sdk/client-s3`, `HeadObject`). */
export function bundledCommands(inputs: readonly string[]): { client: string; command: string }[] {
  return inputs.flatMap((input) => {
    const match = /node_modules\/(@aws-sdk\/client-[^/]+)\/dist-es\/commands\/(\w+)Command\.js$/.exec(input);
    return match ? [{ client: match[1]!, command: match[2]! }] : [];
  });
}

/** What a client module offers to check a command: its command classes. */
type ClientModule = Record<string, unknown>;
/** Whether an operation's input or output has an event-stream member (from its SDK schema). */
export type EventStreamTest = (client: ClientModule, command: string) => boolean;

/**
 * Why a bundle might reach a part left out: one line per way in, none when the stand-ins are safe.
 * `inputs` are the bundle's metafile inputs; `hasEventStream` reads a command's schema (the SDK's
 * own `NormalizedSchema`, passed in so the build itself needs no client loaded).
 */
export async function absentPartsReached(
  inputs: readonly string[],
  load: (client: string) => Promise<ClientModule>,
  hasEventStream: EventStreamTest,
): Promise<string[]> {
  const reached: string[] = [];
  for (const { client, command } of bundledCommands(inputs)) {
    if (hasEventStream(await load(client), command)) reached.push(`${client} ${command}: an event-stream operation, but event streams are left out`);
  }
  for (const input of inputs) {
    if (/node_modules\/@aws-sdk\/middleware-endpoint-discovery\/dist-es\/(endpointDiscoveryMiddleware|updateDiscoveredEndpointInCache)\.js$/.test(input)) {
      reached.push(`${input}: endpoint discovery, but the endpoint cache is left out`);
    }
  }
  return reached;
}
