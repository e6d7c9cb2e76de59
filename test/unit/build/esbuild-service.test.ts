/**
 * esbuild's service process goes away once builds stop (it holds hundreds of MB after building the
 * functions), and comes back for the next build — never while a build is running.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build, IDLE_SERVICE_MS } from '../../../build/esbuild-service.js';
import { waitFor } from '../../local/fixtures/processes.js';

/** This process's children running esbuild's service (`esbuild --service=… --ping`). */
function esbuildServices(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [, state, parent] = /^\d+ \(.*\) (\S) (\d+)/s.exec(readFileSync(`/proc/${entry}/stat`, 'utf8')) ?? [];
      if (Number(parent) !== process.pid || state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('--service=')) found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

const source = (text: string) => ({ stdin: { contents: `export const text = ${JSON.stringify(text)};`, loader: 'ts' as const }, write: false as const, format: 'esm' as const });

describe('the esbuild service', () => {
  it('is stopped once idle and started again by the next build', async () => {
    const first = await build(source('first'));
    expect(first.outputFiles[0]!.text).toContain('"first"');
    expect(esbuildServices()).toHaveLength(1);

    await waitFor(() => esbuildServices().length === 0, IDLE_SERVICE_MS + 15_000, 'the idle esbuild service to stop');

    const second = await build(source('second'));
    expect(second.outputFiles[0]!.text).toContain('"second"');
  }, 30_000);

  it('is not stopped while builds keep coming, even after the idle time in all', async () => {
    const started = Date.now();
    const services = new Set<number>();
    for (let round = 0; Date.now() - started < IDLE_SERVICE_MS * 1.5; round++) {
      // Builds side by side and one after another: none may fail because the service went away.
      const results = await Promise.all([build(source(`a${round}`)), build(source(`b${round}`))]);
      expect(results.map((result) => result.outputFiles[0]!.text).join()).toContain(`"b${round}"`);
      for (const pid of esbuildServices()) services.add(pid);
    }
    expect(services.size).toBe(1);
  }, 30_000);
});
