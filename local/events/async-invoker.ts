/**
 * Lambda's asynchronous invocation, for the events nobody waits on (S3 notifications, schedules,
 * `Invoke` with `InvocationType: Event`): the event is handed over at once; a failed attempt is
 * retried twice with the same event, then the event goes to the failure destination (`onGiveUp`).
 * The cloud waits about one, then two minutes between attempts; locally 1 s and 2 s, short enough
 * to watch, long enough not to hammer a failing function. stop() cancels the retries still waiting.
 */
/** The waits before the second and third attempts. */
export const ASYNC_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000];

export type AsyncInvokerOptions = {
  /** @default ASYNC_RETRY_DELAYS_MS */
  retryDelaysMs?: readonly number[];
  log?: (line: string) => void;
  /** Lambda's on-failure destination: the event, once every attempt failed. */
  onGiveUp?: (failure: { functionName: string; payload: unknown; error: Error; attempts: number }) => void;
};

export class AsyncInvoker {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: AsyncInvokerOptions = {}) {}

  /**
   * Starts `invoke` (the function `functionName` on `payload`) now; the returned promise settles
   * (never rejects) once it succeeded, gave up or was stopped.
   */
  invoke(functionName: string, payload: unknown, invoke: () => Promise<unknown>): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    const run = this.attempts(functionName, payload, invoke).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  /** Cancels waiting retries and waits for attempts in flight (the runtime's stop ends those). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.inFlight);
  }

  private async attempts(name: string, payload: unknown, invoke: () => Promise<unknown>): Promise<void> {
    const delays = this.options.retryDelaysMs ?? ASYNC_RETRY_DELAYS_MS;
    const total = delays.length + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await invoke();
        return;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.options.log?.(`${name} failed (attempt ${attempt} of ${total}): ${(error as Error).message}`);
        if (attempt === total) return this.options.onGiveUp?.({ functionName: name, payload, error: error as Error, attempts: total });
      }
      if (!(await this.wait(delays[attempt - 1]!))) return; // stopped while waiting to retry
    }
  }

  /** Resolves true after `ms`, or false as soon as the invoker stops. */
  private wait(ms: number): Promise<boolean> {
    const { signal } = this.stopping;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
