/**
 * Runs Lambda handlers locally the way Lambda does: each function in its own execution
 * environment (a worker thread with exactly the environment the CDK gives that function, plus
 * Lambda's reserved variables and a heap limited by its memory size), loaded on first use, one
 * timeout per function, and a fresh environment after a timeout or crash. Once stopped, it runs
 * nothing more: invocations in flight, waiting or new are rejected.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export type LocalFunction = {
  name: string;
  /** Absolute path of the handler module. */
  handlerFile: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
};

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

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

class ExecutionEnvironment {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  private nextId = 0;
  dead = false;
  /** Its code changed on disk: it finishes what it runs, then goes (the next call starts fresh). */
  stale = false;

  constructor(private readonly fn: LocalFunction) {
    this.worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: {
        handlerFile: pathToFileURL(fn.handlerFile).href,
        functionName: fn.name,
        memoryMb: fn.memoryMb,
        timeoutSeconds: fn.timeoutSeconds,
      },
      env: { ...fn.environment, ...reservedEnvironment(fn) },
      // The function's memory bounds its heap, so a handler that would run out of memory in the
      // cloud fails locally too instead of growing into the developer's RAM.
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
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

  /** Resolves once the handler's module is loaded (rejects if it cannot load). */
  whenReady(): Promise<void> {
    return this.ready;
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
/** `warming`: environments a pre-warm is loading, which the first calls to come wait for (see `acquire`). */
type Pool = { environments: ExecutionEnvironment[]; idle: ExecutionEnvironment[]; waiting: Waiter[]; warming: Set<ExecutionEnvironment> };

export class LocalLambdaRuntime {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly pools = new Map<string, Pool>();
  private readonly invokedListeners = new Set<(name: string) => void>();
  private stopped = false;

  register(fn: LocalFunction): void {
    this.functions.set(fn.name, fn);
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  get names(): string[] {
    return [...this.functions.keys()];
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
      for (const listener of this.invokedListeners) listener(name);
    }
  }

  /**
   * Makes `name` load its code afresh: idle environments go now, busy ones once their invocation
   * ends (it is not cut short); the next invocation starts a new environment (a cold start).
   */
  invalidate(name: string): void {
    const pool = this.pools.get(name);
    if (!pool) return;
    for (const environment of pool.environments) environment.stale = true;
    for (const environment of pool.idle.splice(0)) void environment.stop();
    pool.environments = pool.environments.filter((environment) => !environment.dead);
  }

  /**
   * Starts an execution environment for `name` and loads its handler, unless it has one already,
   * so that its first event finds it warm (what provisioned concurrency does in the cloud). A call
   * that comes while it loads waits for it rather than starting a cold environment of its own,
   * which would only compete with it for the machine. Never throws: a handler that cannot load
   * fails its first invocation instead.
   */
  async prewarm(name: string): Promise<void> {
    const fn = this.functions.get(name);
    if (!fn || this.stopped || (this.pools.get(name)?.environments.length ?? 0) > 0) return;
    const pool = this.poolOf(name);
    const environment = new ExecutionEnvironment(fn);
    pool.environments.push(environment);
    pool.warming.add(environment);
    await environment.whenReady().catch(() => undefined);
    pool.warming.delete(environment);
    this.release(name, environment);
  }

  /** Terminates every environment (rejecting what runs in them) and every waiting invocation. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    const pools = [...this.pools.entries()];
    this.pools.clear();
    for (const [name, pool] of pools) for (const waiter of pool.waiting.splice(0)) waiter.reject(new RuntimeStoppedError(name));
    await Promise.all(pools.flatMap(([, pool]) => pool.environments).map((environment) => environment.stop()));
  }

  private poolOf(name: string): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = { environments: [], idle: [], waiting: [], warming: new Set() };
      this.pools.set(name, pool);
    }
    return pool;
  }

  private acquire(fn: LocalFunction): Promise<ExecutionEnvironment> {
    if (this.stopped) return Promise.reject(new RuntimeStoppedError(fn.name));
    const pool = this.poolOf(fn.name);
    pool.environments = pool.environments.filter((environment) => !environment.dead);
    pool.idle = pool.idle.filter((environment) => !environment.dead);
    const idle = pool.idle.pop();
    if (idle) return Promise.resolve(idle);
    // One call per environment being pre-warmed waits for it: it is further along than a new one.
    const waitForWarming = pool.waiting.length < pool.warming.size;
    if (!waitForWarming && pool.environments.length < MAX_ENVIRONMENTS_PER_FUNCTION) {
      const environment = new ExecutionEnvironment(fn);
      pool.environments.push(environment);
      return Promise.resolve(environment);
    }
    return new Promise((resolve, reject) => pool.waiting.push({ resolve, reject }));
  }

  private release(name: string, environment: ExecutionEnvironment): void {
    const pool = this.pools.get(name);
    if (!pool) return; // stopped meanwhile
    if (environment.stale && !environment.dead) void environment.stop();
    const next = pool.waiting.shift();
    if (!next) {
      if (!environment.dead) pool.idle.push(environment);
      return;
    }
    if (!environment.dead) return next.resolve(environment);
    // The environment died (timeout, crash): the waiter gets a fresh one.
    pool.environments = pool.environments.filter((candidate) => candidate !== environment);
    const fresh = new ExecutionEnvironment(this.functions.get(name)!);
    pool.environments.push(fresh);
    next.resolve(fresh);
  }
}
