/**
 * What every function bundle may contain (ARCHITECTURE.md, "Bundles"), checked on the shared
 * build's own output for every route and trigger, so a new function is held to the same rules:
 * zod/mini only (English messages only), one copy of each package, the environment as the only
 * credential source, no SDK part left out that it can reach, and at most 400 KB.
 */
import type { Metafile } from 'esbuild';
import { NormalizedSchema } from '@smithy/core/schema';
import { beforeAll, describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { absentPartsReached, bundledCommands, type EventStreamTest } from '../../../build/absent-sdk-parts.js';
import { buildFunctions, functionEntries } from '../../../build/function-build.js';

/** The budget for one function (minified, SDK bundled). */
const MAX_BUNDLE_BYTES = 400 * 1024;

/** `inputs`: every file esbuild read for it; `code`: those with code in the output (tree-shaking kept some). */
type Bundle = { id: string; bytes: number; inputs: string[]; code: string[] };
let bundles: Bundle[] = [];

beforeAll(async () => {
  const warnings: string[] = [];
  const entries = functionEntries(backend);
  const result = await buildFunctions({ backend, entries, outdir: '/lambase-bundles', warn: (message) => warnings.push(message), write: false });
  expect(warnings).toEqual([]);
  bundles = Object.entries(result.metafile.outputs as Metafile['outputs'])
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, output]) => ({
      id: file.split('/').at(-2)!,
      bytes: output.bytes,
      inputs: Object.keys(output.inputs),
      code: Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([input]) => input),
    }));
  expect(bundles.map((bundle) => bundle.id).sort()).toEqual(entries.map((entry) => entry.id).sort());
}, 180_000);

/** The operation a command sends has an event stream in its input or output (the SDK's own schema reading). */
const hasEventStream: EventStreamTest = (client, command) => {
  const Command = client[`${command}Command`] as new (input: object) => { schema: unknown[] };
  const [, , , , input, output] = new Command({}).schema;
  return [input, output].some((schema) => NormalizedSchema.of(schema as never).getEventStreamMember() !== '');
};
const loadClient = (client: string) => import(client) as Promise<Record<string, unknown>>;

const offenders = (test: (input: string) => boolean) =>
  bundles.flatMap((bundle) => bundle.inputs.filter(test).map((input) => `${bundle.id}: ${input}`));

describe('every function bundle', () => {
  it('holds zod/mini only: no full zod, no locale but English', () => {
    expect(bundles.length).toBeGreaterThan(30);
    expect(offenders((input) => input.includes('node_modules/zod/'))).not.toEqual([]);
    expect(offenders((input) => /node_modules\/zod\/(v4\/classic|v3)\//.test(input) || /node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(input))).toEqual([]);
  });

  it('leaves the token verifier out of a user HTTP function that is not public (its route has the authorizer)', () => {
    // lambase.config.ts's /stats is `authenticated`; a public function's verifier is proven by the security suite's probes.
    const stats = bundles.find((bundle) => bundle.id === 'FunctionStats')!;
    expect(stats.inputs.filter((input) => input.includes('node_modules/aws-jwt-verify/'))).toEqual([]);
  });

  it('holds one copy of each package (one pinned version, not several)', () => {
    const duplicates = bundles.flatMap((bundle) => {
      const locations = new Map<string, Set<string>>();
      for (const input of bundle.inputs) {
        const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
        if (match) locations.set(match[2]!, (locations.get(match[2]!) ?? new Set()).add(match[1]!));
      }
      return [...locations].filter(([, where]) => where.size > 1).map(([name, where]) => `${bundle.id}: ${name} from ${[...where].join(' and ')}`);
    });
    expect(duplicates).toEqual([]);
  });

  it('reads credentials from the environment only (no SSO, ini, process, web-identity or metadata providers)', () => {
    expect(offenders((input) => /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)|nested-clients\/|token-providers\/)|credential-provider-imds/.test(input))).toEqual([]);
  });

  it('reaches none of the SDK parts the build leaves out (event streams, DynamoDB endpoint discovery)', async () => {
    const commands = bundles.flatMap((bundle) => bundledCommands(bundle.inputs));
    expect(commands.length).toBeGreaterThan(bundles.length);
    const reached = await Promise.all(bundles.map(async (bundle) => (await absentPartsReached(bundle.inputs, loadClient, hasEventStream)).map((way) => `${bundle.id}: ${way}`)));
    expect(reached.flat()).toEqual([]);
  });

  it('would see a way into a part left out: an event-stream operation, the discovery middleware', async () => {
    const inputs = [
      'node_modules/@aws-sdk/client-s3/dist-es/commands/SelectObjectContentCommand.js',
      'node_modules/@aws-sdk/client-lambda/dist-es/commands/InvokeWithResponseStreamCommand.js',
      'node_modules/@aws-sdk/client-lambda/dist-es/commands/InvokeCommand.js',
      'node_modules/@aws-sdk/middleware-endpoint-discovery/dist-es/endpointDiscoveryMiddleware.js',
    ];
    const reached = await absentPartsReached(inputs, loadClient, hasEventStream);
    expect(reached.map((way) => way.split(':')[0])).toEqual([
      '@aws-sdk/client-s3 SelectObjectContent',
      '@aws-sdk/client-lambda InvokeWithResponseStream',
      'node_modules/@aws-sdk/middleware-endpoint-discovery/dist-es/endpointDiscoveryMiddleware.js',
    ]);
  });

  it(`is at most ${MAX_BUNDLE_BYTES / 1024} KB`, () => {
    const over = bundles.filter((bundle) => bundle.bytes > MAX_BUNDLE_BYTES).map((bundle) => `${bundle.id}: ${(bundle.bytes / 1024).toFixed(1)} KB`);
    expect(over).toEqual([]);
  });

  it('builds no schema in DELETE /me, which parses no input (no zod schema code; ARCHITECTURE.md, "Bundles")', () => {
    // Its operation, the config's settings and the erasers load no module that builds a schema at
    // load: one that did would bring zod's schema classes back (~25 KB, DELETE /me over 400 KB).
    const deleteMe = bundles.find((bundle) => bundle.id === 'AuthDeleteMe')!;
    expect(deleteMe.code.filter((input) => /node_modules\/zod\/v4\/(core|mini)\/(schemas|checks)\.js$/.test(input))).toEqual([]);
    expect(deleteMe.code.filter((input) => /^(lambase\.config\.ts|functions\/contract\/(auth|operation|shared-schemas)\.ts)$/.test(input))).toEqual([]);
  });

  it('sends only the S3 and SNS commands erasure needs from DELETE /me (no DeleteObjects and its checksum middleware, no SNS publishing)', () => {
    const deleteMe = bundles.find((bundle) => bundle.id === 'AuthDeleteMe')!;
    const sent = bundledCommands(deleteMe.code).filter((command) => /client-(s3|sns)$/.test(command.client));
    // CreateSession: S3 Express's session, which S3's endpoint rules may choose (ARCHITECTURE.md, "Bundles").
    expect(sent.map((command) => command.command).sort()).toEqual(['CreateSession', 'DeleteEndpoint', 'DeleteObject', 'HeadObject', 'Unsubscribe']);
    expect(deleteMe.code.filter((input) => input.includes('/flexible-checksums/flexibleChecksumsMiddleware'))).toEqual([]);
  });

  it('carries the S3 presigners only where a URL is signed (upload, download, ctx.files), not where objects are only checked or deleted', () => {
    const signing = bundles.filter((bundle) => bundle.inputs.some((input) => /node_modules\/@aws-sdk\/s3-(request-presigner|presigned-post)\//.test(input)));
    expect(signing.map((bundle) => bundle.id).sort()).toEqual(['FunctionStats', 'StorageGetFile', 'StorageRequestUpload']);
  });

  it("carries, in a user function, only the parts of ctx its uses name (welcome: the inbox; stats: documents and files)", () => {
    const holds = (id: string, pattern: RegExp) => bundles.find((bundle) => bundle.id === id)!.inputs.some((input) => pattern.test(input));
    const s3 = /^functions\/adapters\/s3-stored-objects\.ts$/;
    const sns = /^functions\/adapters\/sns-/;
    const documents = /^functions\/core\/documents\/server-documents\.ts$/;
    expect([holds('FunctionWelcome', s3), holds('FunctionWelcome', sns), holds('FunctionWelcome', documents)]).toEqual([false, false, false]);
    expect([holds('FunctionStats', s3), holds('FunctionStats', sns), holds('FunctionStats', documents)]).toEqual([true, false, true]);
  });

  it('carries, in a user function, only the path of defineFunction that starts it (HTTP: no event receipts; events: no HTTP stack)', () => {
    const holds = (id: string, pattern: RegExp) => bundles.find((bundle) => bundle.id === id)!.inputs.some((input) => pattern.test(input));
    // Powertools as a whole: its JMESPath modules stay in a bundle that merely imports the store.
    const receipts = /node_modules\/@aws-lambda-powertools\//;
    const httpStack = /^functions\/shared\/http-handler\.ts$/;
    expect([holds('FunctionStats', receipts), holds('FunctionStats', httpStack)]).toEqual([false, true]);
    expect([holds('FunctionWelcome', receipts), holds('FunctionWelcome', httpStack)]).toEqual([true, false]);
  });
});
