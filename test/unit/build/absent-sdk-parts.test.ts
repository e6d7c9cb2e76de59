/**
 * The stand-ins the shared build serves for SDK parts no function reaches (build/absent-sdk-parts.ts):
 * the clients still configure themselves with them, and a call that reaches one fails loudly, naming
 * the build, instead of misbehaving.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { absentSdkPartsPlugin } from '../../../build/absent-sdk-parts.js';
import { BUNDLE_SETTINGS } from '../../../build/function-build.js';
import { PROJECT_ROOT } from '../../../lib/project-root.js';

type Parts = {
  configured: { eventStreamMarshaller: { serialize: () => unknown } };
  serde: () => unknown;
  cache: { getEndpoint: (key: string) => unknown };
};

async function bundledParts(): Promise<{ parts: Parts; inputs: string[] }> {
  const result = await build({
    ...BUNDLE_SETTINGS,
    stdin: {
      contents: `import { eventStreamSerdeProvider, EventStreamSerde, resolveEventStreamSerdeConfig } from '@smithy/core/event-streams';
import { EndpointCache } from '@aws-sdk/endpoint-cache';
export const configured = resolveEventStreamSerdeConfig({ eventStreamSerdeProvider });
export const serde = () => new EventStreamSerde({});
export const cache = new EndpointCache(1000);`,
      resolveDir: PROJECT_ROOT,
      loader: 'js',
    },
    sourcemap: false,
    // The bundle is imported from a data: URL, where createRequire has no file to start from (nothing here requires).
    banner: {},
    write: false,
    metafile: true,
    plugins: [absentSdkPartsPlugin()],
  });
  const code = result.outputFiles[0]!.text;
  const parts = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Parts;
  return { parts, inputs: Object.keys(result.metafile.inputs) };
}

describe('the SDK parts the build leaves out', () => {
  it('configure a client as the SDK does, and throw, naming the build, when reached', async () => {
    const { parts, inputs } = await bundledParts();
    expect(inputs.filter((input) => /event-streams\/(eventstream-codec|EventStreamSerde)|mnemonist/.test(input))).toEqual([]);
    expect(typeof parts.configured.eventStreamMarshaller.serialize).toBe('function');
    expect(() => parts.configured.eventStreamMarshaller.serialize()).toThrow(/Event-stream serialization is not in this function's bundle \(build\/absent-sdk-parts\.ts\)/);
    expect(() => parts.serde()).toThrow(/Event-stream serde is not in this function's bundle/);
    expect(() => parts.cache.getEndpoint('key')).toThrow(/DynamoDB endpoint discovery is not in this function's bundle/);
  });
});
