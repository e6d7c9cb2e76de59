/**
 * Local mode's EventBridge: fires each scheduled function on its `rate(...)` or `cron(...)`
 * expression with EventBridge's "Scheduled Event" payload, and on demand
 * (`POST /_local/schedules/{name}/run`).
 */
import { randomUUID } from 'node:crypto';
import AWSCronParser from 'aws-cron-parser';

export type ScheduledFunction = { name: string; expression: string; invoke: (event: unknown) => Promise<unknown> };

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Milliseconds from `from` to the next firing of `expression`. */
export function nextDelay(expression: string, from: Date): number {
  const rate = RATE.exec(expression);
  if (rate) return Number(rate[1]) * UNIT_MS[rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS];
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new Error(`Not a schedule expression: ${expression}`);
  const next = AWSCronParser.next(AWSCronParser.parse(cron[1]!), new Date(from.getTime() + 1_000));
  if (!next) throw new Error(`${expression} never fires`);
  return next.getTime() - from.getTime();
}

export function scheduledEvent(name: string, region: string, now = new Date()) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:events:${region}:000000000000:rule/${name}`],
    detail: {},
  };
}

export class LocalScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly functions: readonly ScheduledFunction[],
    private readonly region: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  has(name: string): boolean {
    return this.functions.some((fn) => fn.name === name);
  }

  start(): void {
    for (const fn of this.functions) this.arm(fn);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Fires `name` now; resolves with the function's result. */
  async run(name: string): Promise<unknown> {
    const fn = this.functions.find((candidate) => candidate.name === name);
    if (!fn) throw new Error(`No scheduled function named ${name}`);
    return fn.invoke(scheduledEvent(name, this.region));
  }

  private arm(fn: ScheduledFunction): void {
    const timer = setTimeout(() => {
      // Asynchronous invocation: Lambda retries a failed event twice.
      void this.invokeWithRetries(fn, 2);
      this.arm(fn);
    }, nextDelay(fn.expression, new Date()));
    timer.unref();
    this.timers.set(fn.name, timer);
  }

  private async invokeWithRetries(fn: ScheduledFunction, retries: number): Promise<void> {
    const event = scheduledEvent(fn.name, this.region);
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        await fn.invoke(event);
        return;
      } catch (error) {
        this.log(`schedule ${fn.name} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
      }
    }
  }
}
