/**
 * Runs Lambda handlers locally the way Lambda does: each function in its own execution
 * environment (a worker thread with exactly the environment the CDK gives that function, plus
 * Lambda's reserved variables and a heap limited by its memory size), loaded on first use, one
 * timeout per function, and a fresh environment after a timeout or crash. Environments run the
 * function's bundle from the shared build (local/runtime/local-bundles.ts), the code the CDK
 * deploys; a rebuilt bundle retires its function's environments, and so do a few idle minutes, as
 * in Lambda. A spare thread, booted ahead, takes each new environment, so a first call pays the
 * function's own cold start only (see `spares`). Once stopped, it runs nothing more: invocations
 * in flight, waiting or new are rejected.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FunctionEntry } from '../../build/function-build.js';

export type LocalFunction = {
  name: string;
  /** Its bundle (build/function-build.ts `entryOf`, from its route or trigger row). */
  bundle: FunctionEntry;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
};

/** Where environments get their code: a function's current bundle (built first when stale). */
export type BundleSource = {
  file(entry: FunctionEntry): Promise<string>;
  /** Called with the ids (entries' `id`) of functions whose sources changed. */
  onStale(listener: (ids: string[]) => void): void;
};

export type LocalLambdaRuntimeOptions = {
  bundles: BundleSource;
  /**
   * An environment unused this long is shut down, freeing its memory (Lambda keeps idle
   * environments for minutes too). @default 300_000 (5 minutes)
   */
  idleEnvironmentMs?: number;
  /**
   * At most this many environments are kept (all functions together): a new one retires the least
   * recently used idle environment first. Each holds its own copy of its bundle (15–25 MB), and a
   * developer's machine is not Lambda's fleet: after a run through every route, 50 environments
   * would otherwise stay until the idle time passed. Busy environments are never retired for it,
   * so a burst may go over for as long as it lasts. @default DEFAULT_MAX_ENVIRONMENTS
   */
  maxEnvironments?: number;
};

/** Enough for every function a session of clicking through an app keeps warm, plus a burst on a few. */
export const DEFAULT_MAX_ENVIRONMENTS = 32;

/**
 * What Lambda reports when a function fails (it threw, timed out, crashed, or its module did not
 * load): the invoke answers `{ errorType, errorMessage }` with `FunctionError: Unhandled`.
 */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(`${functionName} failed: ${errorType}: ${errorMessage}`);
    this.name = 'FunctionError';
  }
}

/** The runtime was stopped (local mode is shutting down): the invocation did not run, or was cut short. */
export class RuntimeStoppedError extends Error {
  constructor(readonly functionName: string) {
    super(`${functionName} was not run: the local Lambda runtime is stopped`);
    this.name = 'RuntimeStoppedError';
  }
}

/** Lambda's own variables (a function cannot override them); TZ only takes effect process-wide, see startLocal. */
function reservedEnvironment(fn: LocalFunction): Record<string, string> {
  return {
    TZ: 'UTC',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  };
}

/**
 * Starts a worker thread for a function of `memoryMb` (worker.mjs): it waits for its function's
 * environment and bundle (`ExecutionEnvironment`), so it can be started before the function is known.
 */
function bootWorker(memoryMb: number): Worker {
  return new Worker(new URL('./worker.mjs', import.meta.url), {
    // None of local mode's own variables: the function's arrive with its bundle, before it loads.
    env: {},
    // Not local mode's own flags (its TypeScript loader): a bundle is plain JavaScript, and the
    // loader's hooks and source-map parsing made every cold start slower.
    execArgv: [],
    // The function's memory bounds its heap, so a handler that would run out of memory in the
    // cloud fails locally too instead of growing into the developer's RAM; split as Lambda's Node
    // runtime splits it (`heapLimits`).
    resourceLimits: heapLimits(memoryMb),
  });
}

/**
 * V8's heap for a function of `memoryMb`, as Lambda's Node bootstrap sizes it: a tenth of the
 * memory for the young generation (two semi-spaces of a twentieth each), the rest for the old one.
 * A worker given only an old-generation limit gets a young generation sized from it (a few MB),
 * and the SDK's allocations then cost ~10 % more CPU per request in scavenges (measured on GET).
 */
export function heapLimits(memoryMb: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  const semiSpaceMb = Math.floor(memoryMb / 20);
  // V8's young generation is three semi-spaces (from, to, and the new large-object space).
  return { maxOldGenerationSizeMb: memoryMb - 2 * semiSpaceMb, maxYoungGenerationSizeMb: 3 * semiSpaceMb };
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

class ExecutionEnvironment {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  private nextId = 0;
  /** Takes no more invocations: it timed out, crashed, was retired or stopped. */
  dead = false;
  /** When it last finished an invocation (or started): idle environments are retired after a while. */
  lastUsedAt = Date.now();

  /**
   * @param worker a booted thread (`bootWorker`, with the function's memory size) that has run
   * nothing yet: it gets the function's environment and bundle now.
   */
  constructor(
    private readonly fn: LocalFunction,
    moduleFile: string,
    worker: Worker,
  ) {
    this.worker = worker;
    this.worker.postMessage({
      load: {
        moduleUrl: pathToFileURL(moduleFile).href,
        functionName: fn.name,
        memoryMb: fn.memoryMb,
        timeoutSeconds: fn.timeoutSeconds,
        environment: { ...fn.environment, ...reservedEnvironment(fn) },
      },
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (message.ready) {
          this.worker.off('message', onMessage);
          resolve();
        }
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      // Terminated (stopped) before its module loaded: nobody may wait on it forever.
      this.worker.once('exit', () => reject(new Error('the execution environment exited before it was ready')));
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: { id?: number; result?: unknown; error?: { errorType: string; errorMessage: string } }) => {
      if (message.id === undefined) return;
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) pending.reject(new FunctionError(fn.name, message.error.errorType, message.error.errorMessage));
      else pending.resolve(message.result);
    });
    this.worker.on('error', (error) => this.fail(new FunctionError(fn.name, 'Runtime.ExitError', error.message)));
    this.worker.on('exit', () => this.fail(new FunctionError(fn.name, 'Runtime.ExitError', 'the execution environment exited')));
  }

  /** Resolves once the module has loaded or failed to (the failure belongs to the first invocation). */
  loaded(): Promise<void> {
    return this.ready.catch(() => undefined);
  }

  async invoke(event: unknown): Promise<unknown> {
    try {
      await this.ready;
    } catch (error) {
      this.dead = true;
      throw new FunctionError(this.fn.name, 'Runtime.ImportModuleError', (error as Error).message);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new FunctionError(this.fn.name, 'Sandbox.Timedout', `Task timed out after ${this.fn.timeoutSeconds} seconds`));
        void this.stop(); // Lambda discards an environment whose invocation timed out.
      }, this.fn.timeoutSeconds * 1000);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, event, requestId: randomUUID() });
    });
  }

  private fail(error: Error): void {
    this.dead = true;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }

  async stop(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * Like Lambda, an environment serves one invocation at a time; concurrent calls get more
 * environments (each with its own cold start), up to this many per function, then wait in line.
 */
export const MAX_ENVIRONMENTS_PER_FUNCTION = 4;

type Waiter = { resolve: (environment: ExecutionEnvironment) => void; reject: (error: Error) => void };
/**
 * `environments` are all of a function's living ones; `idle` those waiting for an invocation;
 * `warming` those a pre-warm is loading, which the first calls to come wait for (see `acquire`).
 */
type Pool = { environments: ExecutionEnvironment[]; idle: ExecutionEnvironment[]; waiting: Waiter[]; warming: Set<ExecutionEnvironment> };

export class LocalLambdaRuntime {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly pools = new Map<string, Pool>();
  private readonly bundles: BundleSource;
  private readonly idleEnvironmentMs: number;
  private readonly maxEnvironments: number;
  private readonly idleCheck: NodeJS.Timeout;
  private readonly invokedListeners = new Set<(name: string) => void>();
  /** Booted threads waiting for a function, one per memory size registered (see `spares`). */
  private readonly spareWorkers = new Map<number, Worker>();
  private readonly memorySizes = new Set<number>();
  private stopped = false;

  constructor(options: LocalLambdaRuntimeOptions) {
    this.bundles = options.bundles;
    this.idleEnvironmentMs = options.idleEnvironmentMs ?? 300_000;
    this.maxEnvironments = options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
    this.bundles.onStale((ids) => this.retire((fn) => ids.includes(fn.bundle.id)));
    // Checked a few times per idle period, so an environment stays at most a quarter longer.
    this.idleCheck = setInterval(() => this.retireIdle(), Math.max(50, Math.min(this.idleEnvironmentMs / 4, 30_000)));
    this.idleCheck.unref();
  }

  /**
   * Adds a function, or replaces the one of that name: its environments, made from the old
   * definition (local mode re-registers every function when DynamoDB Local had to move to another
   * port), are retired, so its next call runs the new one.
   */
  register(fn: LocalFunction): void {
    const replaced = this.functions.has(fn.name);
    this.functions.set(fn.name, fn);
    this.memorySizes.add(fn.memoryMb);
    if (replaced) this.retire((candidate) => candidate.name === fn.name);
    // No spare is booted here: local mode registers its functions while DynamoDB Local's JVM
    // starts, and threads booted then take CPU from Java (ready ~0.15 s later, measured). The
    // spares come when the pre-warm has ended, and after each invocation.
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  get names(): string[] {
    return [...this.functions.keys()];
  }

  /**
   * The spare environments: for each memory size its functions have, one worker thread already
   * booted and waiting. A function's first call (or a call that needs one more environment) takes
   * it and pays only its own cold start — its bundle's import and first invocation, what Lambda
   * bills as the cold start — not the thread's start (measured 40–300 ms on two busy cores; Lambda
   * keeps its sandboxes ready too). They are booted when a pre-warm ends (local mode's, during its
   * start) and after each invocation, so another follows once a call that took one has ended. A
   * spare holds no bundle (~8 MB measured), is not counted in `environmentCount`, and is never retired.
   */
  get spares(): { memoryMb: number; threadId: number }[] {
    return [...this.spareWorkers].map(([memoryMb, worker]) => ({ memoryMb, threadId: worker.threadId }));
  }

  /** How many execution environments are running (all functions). */
  get environmentCount(): number {
    return [...this.pools.values()].reduce((count, pool) => count + pool.environments.length, 0);
  }

  /**
   * Starts an environment for each of `names` that has none, so its first call finds the function
   * loaded (what provisioned concurrency does in the cloud). A call that comes while it loads waits
   * for it rather than starting a cold environment of its own, which would only compete with it for
   * the machine. Resolves once they have loaded; never rejects (a function that cannot build or
   * load fails its first call instead, and a stopped runtime warms nothing).
   */
  async prewarm(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const fn = this.functions.get(name);
        if (!fn || this.stopped || this.pools.get(name)?.environments.length) return;
        const pool = this.poolOf(name);
        let environment: ExecutionEnvironment | undefined;
        try {
          const moduleFile = await this.bundles.file(fn.bundle);
          if (this.stopped || pool.environments.length > 0) return;
          environment = this.startEnvironment(fn, moduleFile);
          pool.environments.push(environment);
          pool.warming.add(environment);
          await environment.loaded();
        } catch {
          // Reported by the first call, which tries again.
        } finally {
          if (environment) {
            pool.warming.delete(environment);
            this.release(name, environment);
          }
        }
      }),
    );
    this.keepSpares();
  }

  /**
   * Calls `listener` after every invocation, whatever its outcome (local mode wakes the stream
   * pump with it: a function that finished may have written to the table). Returns what removes it.
   */
  onInvoked(listener: (name: string) => void): () => void {
    this.invokedListeners.add(listener);
    return () => this.invokedListeners.delete(listener);
  }

  /**
   * Invokes `name` with `event` and resolves with its result; rejects with `FunctionError`, or
   * `RuntimeStoppedError` once the runtime is stopped.
   */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No local function named ${name}`);
    const environment = await this.acquire(fn);
    try {
      return await environment.invoke(event);
    } catch (error) {
      throw this.stopped ? new RuntimeStoppedError(name) : error;
    } finally {
      this.release(fn.name, environment);
      this.keepSpares();
      for (const listener of this.invokedListeners) listener(name);
    }
  }

  /** Terminates every environment (rejecting what runs in them) and every waiting invocation. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.idleCheck);
    const pools = [...this.pools.entries()];
    this.pools.clear();
    for (const [name, pool] of pools) for (const waiter of pool.waiting.splice(0)) waiter.reject(new RuntimeStoppedError(name));
    const spares = [...this.spareWorkers.values()];
    this.spareWorkers.clear();
    await Promise.all([...pools.flatMap(([, pool]) => pool.environments).map((environment) => environment.stop()), ...spares.map((worker) => worker.terminate())]);
  }

  /** A new environment for `fn` (room made for it first), on the spare of its memory size when there is one. */
  private startEnvironment(fn: LocalFunction, moduleFile: string): ExecutionEnvironment {
    this.makeRoom();
    const spare = this.spareWorkers.get(fn.memoryMb);
    this.spareWorkers.delete(fn.memoryMb);
    return new ExecutionEnvironment(fn, moduleFile, spare ?? bootWorker(fn.memoryMb));
  }

  /**
   * Boots a spare for each memory size the functions have and no spare has. Called when a pre-warm
   * ends and after each invocation — not at registration (Java may be starting) and not when a
   * spare is taken (the new thread's start would compete with the import it was taken for).
   */
  private keepSpares(): void {
    if (this.stopped) return;
    for (const memoryMb of this.memorySizes) {
      if (this.spareWorkers.has(memoryMb)) continue;
      const worker = bootWorker(memoryMb);
      this.spareWorkers.set(memoryMb, worker);
      // Should it fail or exit while waiting (nothing of a function runs in it yet), it is let go;
      // the next call boots its own and a new spare follows.
      worker.on('error', () => undefined);
      worker.once('exit', () => {
        if (this.spareWorkers.get(memoryMb) === worker) this.spareWorkers.delete(memoryMb);
      });
    }
  }

  private poolOf(name: string): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = { environments: [], idle: [], waiting: [], warming: new Set() };
      this.pools.set(name, pool);
    }
    return pool;
  }

  private async acquire(fn: LocalFunction): Promise<ExecutionEnvironment> {
    // The bundle first: after a saved change, the request waits for its function's rebuild and runs it.
    const moduleFile = await this.bundles.file(fn.bundle);
    if (this.stopped) throw new RuntimeStoppedError(fn.name);
    const pool = this.poolOf(fn.name);
    // Idle ones that died (their worker crashed) go first.
    this.drop(pool, (environment) => environment.dead && pool.idle.includes(environment));
    const idle = pool.idle.pop();
    if (idle) return idle;
    // One call per environment being pre-warmed waits for it: it is further along than a new one.
    const waitForWarming = pool.waiting.length < pool.warming.size;
    if (!waitForWarming && pool.environments.length < MAX_ENVIRONMENTS_PER_FUNCTION) {
      const environment = this.startEnvironment(fn, moduleFile);
      pool.environments.push(environment);
      return environment;
    }
    const waiting = pool.waiting;
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  }

  private release(name: string, environment: ExecutionEnvironment): void {
    environment.lastUsedAt = Date.now();
    const pool = this.pools.get(name);
    if (!pool) return; // stopped meanwhile
    if (environment.dead) {
      // Timed out, crashed or retired while busy: it goes, and a waiter gets a fresh one.
      void environment.stop();
      pool.environments = pool.environments.filter((candidate) => candidate !== environment);
      const next = pool.waiting.shift();
      if (next) this.acquire(this.functions.get(name)!).then(next.resolve, next.reject);
      return;
    }
    const next = pool.waiting.shift();
    if (next) next.resolve(environment);
    else pool.idle.push(environment);
  }

  /**
   * Takes the environments of `pool` that `which` selects out of service: idle ones stop now, busy
   * ones are marked dead and stop when their invocation ends (in `release`).
   */
  private drop(pool: Pool, which: (environment: ExecutionEnvironment) => boolean): void {
    const selected = pool.environments.filter(which);
    const idle = selected.filter((environment) => pool.idle.includes(environment));
    for (const environment of selected) environment.dead = true;
    for (const environment of idle) void environment.stop();
    pool.idle = pool.idle.filter((environment) => !idle.includes(environment));
    pool.environments = pool.environments.filter((environment) => !idle.includes(environment));
  }

  /** The environments of the functions `which` selects run old code: idle ones go now, busy ones after their invocation. */
  private retire(which: (fn: LocalFunction) => boolean): void {
    for (const [name, pool] of this.pools) {
      const fn = this.functions.get(name);
      if (fn && which(fn)) this.drop(pool, () => true);
    }
  }

  /** Before a new environment starts at the limit: the least recently used idle one goes. */
  private makeRoom(): void {
    if (this.environmentCount < this.maxEnvironments) return;
    let oldest: { pool: Pool; environment: ExecutionEnvironment } | undefined;
    for (const pool of this.pools.values()) {
      for (const environment of pool.idle) {
        if (!oldest || environment.lastUsedAt < oldest.environment.lastUsedAt) oldest = { pool, environment };
      }
    }
    if (oldest) this.drop(oldest.pool, (environment) => environment === oldest.environment);
  }

  /** Environments idle for idleEnvironmentMs go, as Lambda's do. */
  private retireIdle(): void {
    const cutoff = Date.now() - this.idleEnvironmentMs;
    for (const pool of this.pools.values()) this.drop(pool, (environment) => pool.idle.includes(environment) && environment.lastUsedAt <= cutoff);
  }
}
