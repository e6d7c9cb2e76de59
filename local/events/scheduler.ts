/**
 * Local mode's EventBridge Scheduler: fires each scheduled function on its `rate(...)` or
 * `cron(...)` expression with the input the cloud's schedule sends (`ScheduleInput`), as an
 * asynchronous invocation (retried twice, then the failure destination), and on demand
 * (`POST /_local/schedules/{name}/run`, which waits for the function's result).
 */
import AWSCronParser from 'aws-cron-parser';
import type { ScheduleInput } from '../../functions/core/events/lambase-events.js';
import type { AsyncInvoker } from './async-invoker.js';

export type ScheduledFunction = { name: string; expression: string; invoke: (event: unknown) => Promise<unknown> };

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/** setTimeout fires after 1 ms when asked to wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds from `from` to the next firing of `expression`. */
export function nextDelay(expression: string, from: Date): number {
  const rate = RATE.exec(expression);
  if (rate) {
    if (Number(rate[1]) < 1) throw new Error(`${expression}: a rate must be at least 1`);
    return Number(rate[1]) * UNIT_MS[rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS];
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new Error(`Not a schedule expression: ${expression}`);
  const next = AWSCronParser.next(AWSCronParser.parse(cron[1]!), new Date(from.getTime() + 1_000));
  if (!next) throw new Error(`${expression} never fires`);
  return next.getTime() - from.getTime();
}

/**
 * What the schedule `name` sends at `at`: as EventBridge Scheduler's `<aws.scheduler.scheduled-time>`
 * (whole seconds) for a timer, to the millisecond for an on-demand run (each one its own event).
 */
export function scheduleInput(name: string, at: Date, onDemand = false): ScheduleInput {
  const time = onDemand ? at.toISOString() : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { type: 'scheduled', schedule: name, scheduledAt: time };
}

export class LocalScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  /** `invoker` runs each firing as an asynchronous invocation (its owner stops it, cancelling retries). */
  constructor(
    private readonly functions: readonly ScheduledFunction[],
    private readonly invoker: AsyncInvoker,
  ) {}

  has(name: string): boolean {
    return this.functions.some((fn) => fn.name === name);
  }

  start(): void {
    for (const fn of this.functions) this.arm(fn, Date.now() + nextDelay(fn.expression, new Date()));
  }

  /** Clears the timers: nothing fires any more. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Fires `name` now; resolves with the function's result. */
  async run(name: string): Promise<unknown> {
    const fn = this.functions.find((candidate) => candidate.name === name);
    if (!fn) throw new Error(`No scheduled function named ${name}`);
    return fn.invoke(scheduleInput(name, new Date(), true));
  }

  /** Waits until `dueAt`, in steps a timer can take (a far cron or rate(30 days) is longer). */
  private arm(fn: ScheduledFunction, dueAt: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      if (Date.now() < dueAt) return this.arm(fn, dueAt);
      const input = scheduleInput(fn.name, new Date(dueAt));
      void this.invoker.invoke(fn.name, input, () => fn.invoke(input));
      this.arm(fn, Date.now() + nextDelay(fn.expression, new Date()));
    }, Math.min(Math.max(0, dueAt - Date.now()), MAX_TIMER_MS));
    timer.unref();
    this.timers.set(fn.name, timer);
  }
}
