/**
 * The one build definition of every function bundle. The CDK (lib/functions/function-bundles.ts,
 * through build/build-functions.ts), local mode (local/runtime/local-bundles.ts) and the bench all
 * build with these settings, so what runs locally is byte for byte what deploys.
 *
 * - ESM for Node 22+, minified, with a source map (no sources inside) next to each bundle.
 * - The AWS SDK is bundled (a minified bundle loads faster than the runtime's copy), with one
 *   credential source: Lambda's environment (functions/adapters/environment-credentials.ts).
 * - lambase.config.ts is replaced by its compiled form (build/compile-config.ts), so no bundle
 *   loads full zod.
 *
 * - A user function's bundle carries only the parts of `ctx` its `uses` names: the others'
 *   modules (functions/sdk/uses/) are replaced by a stub, so e.g. a function that only writes inbox
 *   items carries no S3 client. Entries are built in one esbuild run per distinct `uses`.
 *
 * One output folder per function, named by its construct id: `<outdir>/<FunctionId>/index.mjs`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildOptions, Metafile, OutputFile, Plugin } from 'esbuild';
import { build } from './esbuild-service.js';
import type { Backend } from '../functions/core/config/define-backend.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import type { FunctionUse } from '../functions/core/config/function-kinds.js';
import { FUNCTION_USES } from '../functions/core/config/function-kinds.js';
import type { FunctionSettings } from '../lib/route-types.js';
import { allRoutes, defaultRoute, functionId, realtimeRoutes } from '../lib/routes.js';
import { allTriggers } from '../lib/triggers.js';
import { absentSdkPartsPlugin } from './absent-sdk-parts.js';
import { compileConfig, compileSettings } from './compile-config.js';

/** The config file every bundle reads, and the zod module the compiled config imports. */
const CONFIG_FILE = path.join(PROJECT_ROOT, 'lambase.config.ts');
/** The config's settings without field schemas (functions/shared/backend-settings.ts), served as plain data. */
const SETTINGS_FILE = path.join(PROJECT_ROOT, 'functions/shared/backend-settings.ts');
const ZOD_MODULE = path.join(PROJECT_ROOT, 'functions/core/zod.ts');
const ENVIRONMENT_CREDENTIALS = path.join(PROJECT_ROOT, 'functions/adapters/environment-credentials.ts');

/** Every function's file name inside its folder (the Lambda handler is `index.handler`). */
export const BUNDLE_FILE_NAME = 'index.mjs';

/** The settings every bundle is built with. */
export const BUNDLE_SETTINGS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  // Prefer packages' ESM builds: they tree-shake, CommonJS builds do not.
  mainFields: ['module', 'main'],
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __lambaseCreateRequire } from 'node:module'; const require = __lambaseCreateRequire(import.meta.url);" },
  alias: { '@aws-sdk/credential-provider-node': ENVIRONMENT_CREDENTIALS },
  logLevel: 'warning',
} as const satisfies BuildOptions;

/**
 * One function to bundle: its construct id (the output folder), its handler file and, for a user
 * function, its `uses` (only those parts of `ctx` are bundled).
 */
/**
 * `verifiesTokens`: a user HTTP function whose route is public, so it verifies a token sent to it
 * itself (the others' bundles leave the verifier out).
 */
export type FunctionEntry = { id: string; handler: string; uses?: readonly FunctionUse[]; started?: UserFunctionStart; verifiesTokens?: boolean };

/** How a user function is started: its bundle carries that path of `defineFunction` only. */
export type UserFunctionStart = 'http' | 'event';

/** The bundle a route's or trigger's function runs. */
export function entryOf(settings: Pick<FunctionSettings, 'handler' | 'id' | 'uses'> & { operation?: { auth: string } }): FunctionEntry {
  const id = settings.id ?? functionId(settings.handler);
  if (!settings.uses) return { id, handler: settings.handler };
  // A user function's row: a route (it has an operation) or a trigger (events, schedules).
  if (!settings.operation) return { id, handler: settings.handler, uses: settings.uses, started: 'event' };
  return { id, handler: settings.handler, uses: settings.uses, started: 'http', verifiesTokens: settings.operation.auth === 'optional' };
}

/**
 * What a user function's bundle is built with besides its sources ('*' for a platform function:
 * nothing left out). Entries of one variant share an esbuild run, and a bundle whose variant
 * changed is built again.
 */
export function buildVariant(entry: FunctionEntry): string {
  if (!entry.uses) return '*';
  return `${entry.started}${entry.verifiesTokens ? '+tokens' : ''}:${[...new Set(entry.uses)].sort().join(',')}`;
}

/** Every function of the backend: each route's (the `$default` one, the WebSocket and user function routes included) and each trigger's, once per id. */
export function functionEntries(backend: Pick<Backend, 'functions'>): FunctionEntry[] {
  const entries = new Map<string, FunctionEntry>();
  for (const settings of [...allRoutes(backend), defaultRoute, ...realtimeRoutes, ...allTriggers(backend)]) {
    const entry = entryOf(settings);
    if (!entries.has(entry.id)) entries.set(entry.id, entry);
  }
  return [...entries.values()];
}

/** Where a function's bundle is, under `outdir`. */
export function bundleFile(outdir: string, id: string): string {
  return path.join(outdir, id, BUNDLE_FILE_NAME);
}

export type FunctionBuildOptions = {
  backend: Backend;
  entries: readonly FunctionEntry[];
  outdir: string;
  /** Where the build reports that the config could not be compiled (full zod is bundled then). */
  warn?: (message: string) => void;
};

/**
 * The complete esbuild options for `entries`: one build per distinct `uses` (platform functions,
 * which have none, share one), since a build replaces a module the same way for all its entries.
 */
export function functionBuildOptions(options: FunctionBuildOptions): (BuildOptions & { metafile: true })[] {
  const groups = new Map<string, FunctionEntry[]>();
  for (const entry of options.entries) {
    const key = buildVariant(entry);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const warn = options.warn ?? ((message: string) => console.warn(message));
  return [...groups.values()].map((entries, index) => ({
    ...BUNDLE_SETTINGS,
    entryPoints: entries.map((entry) => ({ in: path.resolve(PROJECT_ROOT, entry.handler), out: `${entry.id}/index` })),
    outdir: options.outdir,
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    // The config's compilation problems are reported once, not once per build.
    plugins: [compiledConfigPlugin(options.backend, index === 0 ? warn : () => {}), userFunctionPlugin(entries[0]!), sdkSchemaPlugin(), sdkVersionPlugin(), absentSdkPartsPlugin()],
  }));
}

export type FunctionBuildResult = { metafile: Metafile; outputFiles: OutputFile[] };

/** Builds `entries` into `outdir` (one folder each; in memory with `write: false`) and returns esbuild's metafile. */
export async function buildFunctions(options: FunctionBuildOptions & { write?: boolean }): Promise<FunctionBuildResult> {
  const results = await Promise.all(functionBuildOptions(options).map((settings) => build({ ...settings, write: options.write ?? true })));
  return {
    metafile: { inputs: Object.assign({}, ...results.map((result) => result.metafile.inputs)), outputs: Object.assign({}, ...results.map((result) => result.metafile.outputs)) },
    outputFiles: results.flatMap((result) => result.outputFiles ?? []),
  };
}

/** Each part of a user function's `ctx`, by `uses` entry: its module under functions/sdk/uses/. */
const USE_MODULES: Record<FunctionUse, string> = {
  documents: 'documents',
  'documents:read': 'documents',
  files: 'files',
  push: 'push',
  notifications: 'notifications',
};

/** The module of each way a user function is started, and the function it exports. */
const START_MODULES: Record<UserFunctionStart, { file: string; exported: string }> = {
  http: { file: 'functions/sdk/http-function.ts', exported: 'httpFunction' },
  event: { file: 'functions/sdk/event-function.ts', exported: 'eventFunction' },
};

/**
 * For a user function, serves a stub in place of each `ctx` part it did not declare in `uses`,
 * and of the path of `defineFunction` it is not started by. The stubs are never called:
 * `defineFunction` refuses an undeclared part before building it, and takes the path the
 * function's settings name (the same row the entry came from).
 */
function userFunctionPlugin(entry: FunctionEntry): Plugin {
  const kept = new Set((entry.uses ?? FUNCTION_USES).map((use) => USE_MODULES[use]));
  const stubs = [...new Set(Object.values(USE_MODULES))]
    .filter((name) => !kept.has(name))
    .map((name) => ({ file: `functions/sdk/uses/${name}.ts`, exported: 'part', what: `ctx part ${name}` }));
  for (const [started, module] of Object.entries(START_MODULES)) {
    if (entry.started !== undefined && entry.started !== started) stubs.push({ ...module, what: `${started} path of defineFunction` });
  }
  // Only a public HTTP function verifies tokens itself (its route has no authorizer).
  if (entry.started === 'http' && !entry.verifiesTokens) stubs.push({ file: 'functions/shared/access-tokens.ts', exported: 'accessTokens', what: 'token verifier of public functions' });
  return {
    name: 'lambase-user-function',
    setup(pluginBuild) {
      for (const stub of stubs) {
        pluginBuild.onLoad({ filter: new RegExp(`^${escapeRegExp(path.join(PROJECT_ROOT, stub.file))}$`) }, () => ({
          contents: `export function ${stub.exported}() { throw new Error(${JSON.stringify(`the ${stub.what} is not in this function's bundle: the build left it out`)}); }`,
          loader: 'js',
        }));
      }
    },
  };
}

/**
 * Serves lambase.config.ts to the bundles as its compiled form, and functions/shared/backend-settings.ts
 * as the config's settings alone (plain data, no field schema, so no zod). The compiled config only
 * builds an object, so esbuild may leave it out of a bundle that imports it without reading it
 * (a wiring file whose other builders read it). When a field cannot be compiled, the config is
 * bundled as written (full zod and all, its side effects kept) and the build says which field
 * costs that.
 */
function compiledConfigPlugin(backend: Backend, warn: (message: string) => void): Plugin {
  return {
    name: 'lambase-compiled-config',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: new RegExp(`^${escapeRegExp(SETTINGS_FILE)}$`) }, () => ({
        contents: compileSettings(backend),
        loader: 'js',
        resolveDir: PROJECT_ROOT,
      }));
      const compiled = compileConfig(backend, { zodModule: ZOD_MODULE, settingsModule: SETTINGS_FILE });
      if (!compiled.ok) {
        warn(
          'lambase.config.ts: these fields cannot be rebuilt on zod/mini, so every function bundles full zod ' +
            `(about +430 KB, a slower cold start):\n${compiled.problems.map((problem) => `  - ${problem}`).join('\n')}`,
        );
        return;
      }
      pluginBuild.onResolve({ filter: /(^|\/)lambase\.config(\.[jt]s)?$/ }, async (args) => {
        if (args.pluginData === CONFIG_FILE) return undefined;
        const real = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: CONFIG_FILE });
        if (real.errors.length > 0 || real.path !== CONFIG_FILE) return real.errors.length > 0 ? { errors: real.errors } : undefined;
        return { path: real.path, sideEffects: false };
      });
      pluginBuild.onLoad({ filter: new RegExp(`^${escapeRegExp(CONFIG_FILE)}$`) }, () => ({
        contents: compiled.source,
        loader: 'js',
        resolveDir: PROJECT_ROOT,
      }));
    },
  };
}

/**
 * Lets esbuild drop the SDK schemas a function never uses. Each client keeps every operation's
 * schema in one module (`dist-es/schemas/schemas_0.js`, 66 KB minified for S3) as top-level
 * array literals whose objects use computed keys (`{ [_h]: […] }`, `_h` a string constant);
 * esbuild cannot prove a computed key free of side effects, so it keeps them all. Writing each
 * key as the string it names (`{ "http": […] }`) is the same object, and leaves only the schemas
 * of the commands the function sends (S3's schemas: ~52 KB less in each storage function; Lambda's:
 * ~38 KB in the dispatcher). A file in another shape passes unchanged, so an SDK update that changes
 * the shape costs size, never correctness: test/unit/build/sdk-schema-rewrite.test.ts fails then.
 */
function sdkSchemaPlugin(): Plugin {
  return {
    name: 'lambase-sdk-schemas',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => ({ contents: rewriteSchemaKeys(await readFile(args.path, 'utf8')).contents, loader: 'js' }));
    },
  };
}

/**
 * Each SDK client imports its whole package.json (~2.5 KB minified) to read `version` (for the
 * user agent): the bundle keeps that field alone.
 */
function sdkVersionPlugin(): Plugin {
  return {
    name: 'lambase-sdk-version',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
        const { name, version } = JSON.parse(await readFile(args.path, 'utf8')) as { name: string; version: string };
        return { contents: JSON.stringify({ name, version }), loader: 'json' };
      });
    },
  };
}

/** Each SDK client's schemas module (`dist-es/schemas/schemas_0.js`). */
export const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * `{ [_h]: … }` → `{ "http": … }` wherever `_h` is a top-level string constant of the module (the
 * same object: only the key's spelling changes). `replaced` counts the keys rewritten, `left` the
 * computed keys that still are.
 */
export function rewriteSchemaKeys(source: string): { contents: string; replaced: number; left: number } {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/^const (_[\w$]+) = ("[^"\\\n]*");$/gm)) constants.set(match[1]!, match[2]!);
  let replaced = 0;
  let left = 0;
  const contents = source.replace(/\[(_[\w$]+)\]:/g, (key, name: string) => {
    if (!constants.has(name)) return (left++, key);
    replaced++;
    return `${constants.get(name)}:`;
  });
  return { contents, replaced, left };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
