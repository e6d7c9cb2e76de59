/**
 * What local mode has started, in order, so it can be stopped in reverse: each step records how to
 * stop what it started the moment it has started, so a failure (or an abort) half-way stops exactly
 * what is running. A step that fails to stop is reported and one that hangs is left behind after
 * STEP_STOP_LIMIT_MS, so the others still stop.
 */
type Stop = () => Promise<void> | void;
type Stoppable = { stop(): Promise<void> | void };

/** A step that takes longer than this to stop is reported and left behind, so the rest still stop. */
export const STEP_STOP_LIMIT_MS = 10_000;

export class StartedSteps {
  private readonly steps: { name: string; stop: Stop }[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /**
   * Records a step that has started; returns what it started, so a step reads as one line.
   *
   * @example
   * const lock = steps.add('data folder lock', await DataDirLock.acquire(dir), (lock) => lock.release());
   * const gateway = steps.add('gateway', await startGateway(options)); // stopped with its stop()
   */
  add<T extends Stoppable>(name: string, service: T): T;
  add<T>(name: string, service: T, stop: (service: T) => Promise<void> | void): T;
  add<T>(name: string, service: T, stop?: (service: T) => Promise<void> | void): T {
    this.steps.push({ name, stop: () => (stop ? stop(service) : (service as Stoppable).stop()) });
    return service;
  }

  /**
   * Starts services at once; each one that starts is recorded, even when another fails (then the
   * first failure is thrown, once every start has settled).
   */
  async addTogether<T extends Record<string, readonly [name: string, start: () => Promise<Stoppable>]>>(
    services: T,
  ): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K][1]>> }> {
    const entries = Object.entries(services);
    const results = await Promise.allSettled(entries.map(async ([, [name, start]]) => this.add(name, await start())));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
    return Object.fromEntries(
      entries.map(([key], index) => [key, (results[index] as PromiseFulfilledResult<Stoppable>).value]),
    ) as { [K in keyof T]: Awaited<ReturnType<T[K][1]>> };
  }

  /** Stops every recorded step, the last started first. Never throws. */
  async stop(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await this.stopWithin(step);
  }

  private async stopWithin(step: { name: string; stop: Stop }): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STEP_STOP_LIMIT_MS);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(step.stop), limit]);
      if (outcome === 'late') this.log(`stopping ${step.name} took over ${STEP_STOP_LIMIT_MS / 1000} s; moving on`);
    } catch (error) {
      this.log(`stopping ${step.name}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
