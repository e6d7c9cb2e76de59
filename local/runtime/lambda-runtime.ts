/**
 * Runs Lambda handlers locally the way Lambda does: each function in its own execution
 * environment (a worker thread with exactly the environment the CDK gives that function), loaded
 * on first use, one timeout per function, and a fresh environment after a timeout or crash.
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

/** What Lambda reports when a handler throws: the invoke fails with this payload. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName} failed: ${errorType}: ${message}`);
    this.name = 'FunctionError';
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

class ExecutionEnvironment {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  private nextId = 0;
  dead = false;

  constructor(private readonly fn: LocalFunction) {
    this.worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: {
        handlerFile: pathToFileURL(fn.handlerFile).href,
        functionName: fn.name,
        memoryMb: fn.memoryMb,
        timeoutSeconds: fn.timeoutSeconds,
      },
      env: fn.environment,
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

export class LocalLambdaRuntime {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly environments = new Map<string, ExecutionEnvironment>();

  register(fn: LocalFunction): void {
    this.functions.set(fn.name, fn);
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  get names(): string[] {
    return [...this.functions.keys()];
  }

  /** Invokes `name` with `event` and resolves with its result; rejects with `FunctionError`. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No local function named ${name}`);
    let environment = this.environments.get(name);
    if (!environment || environment.dead) {
      environment = new ExecutionEnvironment(fn);
      this.environments.set(name, environment);
    }
    return environment.invoke(event);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.environments.values()].map((environment) => environment.stop()));
    this.environments.clear();
  }
}
