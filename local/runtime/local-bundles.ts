/**
 * The function bundles local mode runs: the shared build's output (build/function-build.ts), the
 * bytes the CDK deploys, kept in a cache shared by every local instance of this project
 * (node_modules/.cache/lambase/functions/<build key>/, outside any data folder, so `--reset` keeps
 * it; `npm install` fills it).
 *
 * A bundle is current while every file esbuild read for it (by size and modification time), the
 * build settings, esbuild's version and the compiled config are unchanged. One that is not is
 * rebuilt when its function is next needed — its first call, or its pre-warming — on its own:
 * one function builds in a fraction of a second, where rebuilding all of them at once (even
 * through esbuild's incremental context, which re-links every bundle) takes seconds on two cores.
 *
 * Watching (npm start): saving a file marks stale the functions built from it and tells the
 * listeners (the runtime retires their environments), so the next request builds and runs the new
 * code. lambase.config.ts changes need a restart (tables, routes and triggers come from it).
 *
 * @example
 * const bundles = await LocalBundles.open({ backend, entries: functionEntries(backend), watch: true, log });
 * const file = await bundles.file({ id: 'DataGetDocument', handler: 'functions/data/get-document.ts' }); // …/DataGetDocument/index.mjs
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import type { Backend } from '../../functions/core/config/define-backend.js';
import { BUNDLE_SETTINGS, buildFunctions, buildVariant, bundleFile, type FunctionBuildResult, type FunctionEntry } from '../../build/function-build.js';
import { compileConfig, compileSettings } from '../../build/compile-config.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';

/** Where every local instance of this project keeps its bundles (one folder per build key). */
export const DEFAULT_BUNDLE_CACHE = path.join(PROJECT_ROOT, 'node_modules/.cache/lambase/functions');
/**
 * Beside each bundle, what it was built from: the function's handler and uses, the bundle's hash,
 * and the files (project-relative) esbuild read for it with their [size, mtimeMs] at the build.
 * One file per function, written whole after its bundle: local instances building side by side
 * (vitest's files, two terminals) never rewrite a shared file, so none can drop another's record,
 * and another function's later build from a changed file cannot make this bundle look current.
 */
const RECORD = 'build-record.json';
type BuildRecord = { version: typeof RECORD_VERSION; handler: string; uses: string; hash: string; inputs: Record<string, [number, number]> };
const RECORD_VERSION = 3;

export type LocalBundlesOptions = {
  backend: Backend;
  entries: readonly FunctionEntry[];
  /** @default DEFAULT_BUNDLE_CACHE */
  cacheDir?: string;
  /** Mark functions stale when a file they were built from changes. @default false */
  watch?: boolean;
  log?: (line: string) => void;
};

type Settings = { backend: Backend; outdir: string; watch: boolean; log: (line: string) => void };

export class LocalBundles {
  private readonly entries = new Map<string, FunctionEntry>();
  private readonly stale = new Set<string>();
  private readonly building = new Map<string, Promise<void>>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly listeners: ((ids: string[]) => void)[] = [];
  private closed = false;
  private configNoticeGiven = false;
  /** The build records of the entries, as read at `add` and written by this instance's builds. */
  private readonly records = new Map<string, BuildRecord>();

  private constructor(private readonly settings: Settings) {}

  /** Opens the cache for `entries`; nothing is built yet (see `file` and `prepare`). */
  static async open(options: LocalBundlesOptions): Promise<LocalBundles> {
    // Bundles depend on the build settings, the build's own code (its plugins replace modules),
    // esbuild and the whole config (compiled into each one).
    const compiled = { config: compileConfig(options.backend, { zodModule: 'zod/mini', settingsModule: 'settings' }), settings: compileSettings(options.backend) };
    const key = sha256(JSON.stringify({ esbuild: esbuildVersion, settings: BUNDLE_SETTINGS, build: await buildSources(), compiled })).slice(0, 16);
    const outdir = path.join(options.cacheDir ?? DEFAULT_BUNDLE_CACHE, key);
    const bundles = new LocalBundles({ backend: options.backend, outdir, watch: options.watch ?? false, log: options.log ?? (() => {}) });
    await bundles.add(options.entries);
    bundles.watchInputs();
    return bundles;
  }

  /** How many of the entries need a build before they can run. */
  get staleCount(): number {
    return this.stale.size;
  }

  /** The bundle of `entry`, built first if it is new or stale; once a build of it is running, after that build. */
  async file(entry: FunctionEntry): Promise<string> {
    if (!this.entries.has(entry.id)) await this.add([entry]);
    // A running build has taken its ids out of `stale` already: a call that came meanwhile (a
    // Cognito trigger's first call while its pre-warm builds it) waits for it, or it would load a
    // bundle not written yet. Again if a save made it stale during that build.
    while (this.stale.has(entry.id) || this.building.has(entry.id)) await this.buildStale([entry.id]);
    return bundleFile(this.settings.outdir, entry.id);
  }

  /** Builds every stale entry now, in one esbuild run (install time, benchmarks), and waits for builds already running. */
  async prepare(): Promise<void> {
    await this.buildStale([...this.stale, ...this.building.keys()]);
  }

  /** Called with the ids (entries' `id`) of functions whose bundle a saved file made stale. */
  onStale(listener: (ids: string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Stops watching; waits for builds in flight. Idempotent. */
  async stop(): Promise<void> {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await Promise.allSettled(this.building.values());
  }

  private async add(entries: readonly FunctionEntry[]): Promise<void> {
    const added = entries.filter((entry) => !this.entries.has(entry.id));
    for (const entry of added) this.entries.set(entry.id, entry);
    await Promise.all(
      added.map(async (entry) => {
        const record = await readRecord(this.settings.outdir, entry.id);
        if (record) this.records.set(entry.id, record);
      }),
    );
    // Functions share most of their files (the SDK, the core): each is looked at once, and each
    // entry's ~1,400 inputs are then compared in one pass (a promise per input and entry, 75,000 at
    // start, cost more than the stats themselves: 0.4–1.6 s before the pre-warm could begin).
    const files = new Set(added.flatMap((entry) => Object.keys(this.records.get(entry.id)?.inputs ?? {})));
    const stats = new Map(
      await Promise.all(
        [...files].map(async (file) => [file, await stat(path.join(PROJECT_ROOT, file)).then(({ size, mtimeMs }) => [size, mtimeMs], () => undefined)] as const),
      ),
    );
    for (const entry of added) if (!this.isFresh(entry, stats)) this.stale.add(entry.id);
  }

  private isFresh(entry: FunctionEntry, stats: ReadonlyMap<string, readonly number[] | undefined>): boolean {
    const built = this.records.get(entry.id);
    if (built?.handler !== entry.handler || built.uses !== buildVariant(entry)) return false;
    return Object.entries(built.inputs).every(([file, recorded]) => {
      const now = stats.get(file);
      return now !== undefined && now[0] === recorded[0] && now[1] === recorded[1];
    });
  }

  /** Builds the stale ones of `ids` (one esbuild run); a build already running for one is awaited, not repeated. */
  private async buildStale(ids: readonly string[]): Promise<void> {
    const running = ids.flatMap((id) => this.building.get(id) ?? []);
    const toBuild = ids.filter((id) => this.stale.has(id) && !this.building.has(id));
    if (toBuild.length > 0) {
      const work = this.build(toBuild.map((id) => this.entries.get(id)!)).finally(() => {
        for (const id of toBuild) this.building.delete(id);
      });
      for (const id of toBuild) this.building.set(id, work);
      running.push(work);
    }
    await Promise.all(running);
  }

  private async build(entries: readonly FunctionEntry[]): Promise<void> {
    const startedAt = performance.now();
    // Stale from now on only if a file changes again during the build.
    for (const entry of entries) this.stale.delete(entry.id);
    try {
      const result = await buildFunctions({ backend: this.settings.backend, entries, outdir: this.settings.outdir, warn: (message) => this.settings.log(message), write: false });
      const changed = await this.writeChanged(result);
      await this.record(result, changed);
      this.settings.log(`built ${entries.length === 1 ? entries[0]!.id : `${entries.length} functions`} in ${Math.round(performance.now() - startedAt)} ms`);
    } catch (error) {
      for (const entry of entries) this.stale.add(entry.id);
      throw error;
    }
    this.watchInputs();
  }

  private async writeChanged(result: FunctionBuildResult): Promise<Record<string, string>> {
    const changed: Record<string, string> = {};
    const maps = new Map(result.outputFiles.filter((file) => file.path.endsWith('.map')).map((file) => [file.path, file]));
    await Promise.all(
      result.outputFiles
        .filter((file) => file.path.endsWith('.mjs'))
        .map(async (file) => {
          const id = path.basename(path.dirname(file.path));
          const hash = sha256(file.contents);
          const exists = await stat(file.path).then(() => true, () => false);
          if (exists && this.records.get(id)?.hash === hash) return;
          await mkdir(path.dirname(file.path), { recursive: true });
          const map = maps.get(`${file.path}.map`);
          // The map first: a new bundle must never point at an old map.
          if (map) await writeAtomically(map.path, map.contents);
          await writeAtomically(file.path, file.contents);
          changed[id] = hash;
        }),
    );
    return changed;
  }

  /** Records what each bundle was built from, so a later start can tell whether it is still current. */
  private async record(result: FunctionBuildResult, changed: Record<string, string>): Promise<void> {
    const statOf = async (file: string): Promise<[string, [number, number]]> => {
      const { size, mtimeMs } = await stat(path.join(PROJECT_ROOT, file));
      return [file, [size, mtimeMs]];
    };
    await Promise.all(
      Object.entries(result.metafile.outputs).map(async ([output, meta]) => {
        if (!output.endsWith('.mjs')) return;
        const id = path.basename(path.dirname(output));
        const files = [...readFrom(result.metafile, meta.entryPoint), path.relative(PROJECT_ROOT, bundleFile(this.settings.outdir, id))];
        const hash = changed[id] ?? this.records.get(id)?.hash;
        if (!hash) return;
        const entry = this.entries.get(id)!;
        const record: BuildRecord = { version: RECORD_VERSION, handler: entry.handler, uses: buildVariant(entry), hash, inputs: Object.fromEntries(await Promise.all(files.map(statOf))) };
        await writeAtomically(path.join(this.settings.outdir, id, RECORD), JSON.stringify(record));
        this.records.set(id, record);
      }),
    );
  }

  /** Watches every project folder (and root file) the entries' bundles read from, node_modules aside. */
  private watchInputs(): void {
    if (!this.settings.watch || this.closed) return;
    const roots = new Set(
      [...this.entries.keys()]
        .flatMap((id) => Object.keys(this.records.get(id)?.inputs ?? {}))
        .filter((file) => !file.startsWith('node_modules/') && !file.startsWith('..'))
        .map((file) => file.split('/')[0]!),
    );
    for (const root of roots) {
      if (this.watchers.has(root)) continue;
      const isFolder = !/\.[cm]?[jt]s$/.test(root);
      const watcher = watch(path.join(PROJECT_ROOT, root), { recursive: isFolder }, (_event, name) =>
        this.onFileEvent(isFolder ? `${root}/${String(name ?? '')}` : root),
      );
      watcher.on('error', (error) => this.settings.log(`watching ${root} failed: ${error.message}`));
      this.watchers.set(root, watcher);
    }
  }

  private onFileEvent(file: string): void {
    if (this.closed) return;
    if (file === 'lambase.config.ts') {
      if (!this.configNoticeGiven) this.settings.log('lambase.config.ts changed: restart local mode to apply it (tables, routes and triggers come from it).');
      this.configNoticeGiven = true;
      return;
    }
    const ids = [...this.entries.keys()].filter((id) => !this.stale.has(id) && this.records.get(id)?.inputs[file] !== undefined);
    if (ids.length === 0) return;
    for (const id of ids) this.stale.add(id);
    for (const listener of this.listeners) listener(ids);
  }
}

/**
 * Every file esbuild read for the bundle of `entryPoint`: the entry and all it imports, followed
 * through the metafile's import graph (not the output's inputs, which leave out a module nothing of
 * which remains in the bundle, e.g. a constant esbuild inlined: a change to it still changes the bundle).
 */
function readFrom(metafile: FunctionBuildResult['metafile'], entryPoint: string | undefined): string[] {
  const seen = new Set<string>();
  const pending = entryPoint ? [entryPoint] : [];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file) || file.includes(':')) continue;
    seen.add(file);
    for (const { path: imported, external } of metafile.inputs[file]?.imports ?? []) if (!external) pending.push(imported);
  }
  return [...seen];
}

/** The build's own code (build/*.ts), hashed: a changed plugin makes every bundle a new build. */
async function buildSources(): Promise<string> {
  const folder = path.join(PROJECT_ROOT, 'build');
  const files = (await readdir(folder)).filter((file) => file.endsWith('.ts')).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(await readFile(path.join(folder, file)));
  return hash.digest('hex');
}

async function readRecord(outdir: string, id: string): Promise<BuildRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path.join(outdir, id, RECORD), 'utf8')) as BuildRecord;
    // An older layout is read as no record: that bundle is built again once.
    return record.version === RECORD_VERSION ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Other local instances may be reading: a file is replaced whole, never seen half-written. */
async function writeAtomically(file: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}


function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
