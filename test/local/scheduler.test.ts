/**
 * The local scheduler over days of (fake) time: schedules longer than a timer can wait, and
 * Lambda's asynchronous retries of a failed scheduled invocation.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncInvoker } from '../../local/events/async-invoker.js';
import { LocalScheduler } from '../../local/events/scheduler.js';

const DAY = 86_400_000;
let scheduler: LocalScheduler | undefined;
let invoker: AsyncInvoker | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(async () => {
  scheduler?.stop();
  await invoker?.stop();
  scheduler = undefined;
  invoker = undefined;
  vi.useRealTimers();
});

function schedule(expression: string, invoke: () => Promise<unknown> = async () => null) {
  const calls: number[] = [];
  invoker = new AsyncInvoker();
  scheduler = new LocalScheduler([{ name: 'job', expression, invoke: async () => (calls.push(Date.now()), invoke()) }], invoker);
  scheduler.start();
  return calls;
}

describe('the local scheduler', () => {
  it('fires rate(30 days) after 30 days, not at once (a timer cannot wait that long)', async () => {
    const calls = schedule('rate(30 days)');
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(calls).toHaveLength(1);
  });

  it('waits for a cron that is months away', async () => {
    const calls = schedule('cron(0 12 1 6 ? *)'); // noon UTC on June 1st
    await vi.advanceTimersByTimeAsync(150 * DAY);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(3 * DAY);
    expect(calls.map((at) => new Date(at).toISOString())).toEqual(['2026-06-01T12:00:00.000Z']);
  });

  it('retries a failed scheduled invocation twice, 1 s then 2 s later, then gives up', async () => {
    const calls = schedule('rate(1 hour)', async () => Promise.reject(new Error('down')));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1); // not at once
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
    expect(calls[1]! - calls[0]!).toBe(1_000);
    expect(calls[2]! - calls[1]!).toBe(2_000);
  });

  it('fires nothing more once stopped, and stopping the invocations cancels waiting retries', async () => {
    const calls = schedule('rate(1 hour)', async () => Promise.reject(new Error('down')));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(1);
    scheduler!.stop();
    await invoker!.stop();
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(calls).toHaveLength(1);
  });

  it('refuses rate(0 minutes), which would fire without pause', () => {
    expect(() => schedule('rate(0 minutes)')).toThrow(/at least 1/);
  });
});

describe('asynchronous invocations (S3 events)', () => {
  it('retry with the same waits, and stop() cancels the retries still waiting', async () => {
    const invoker = new AsyncInvoker();
    const calls: number[] = [];
    const done = invoker.invoke('verify-upload', {}, async () => (calls.push(Date.now()), Promise.reject(new Error('down'))));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(2);
    await invoker.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(calls).toHaveLength(2);
  });
});
