/**
 * A logged error's stack names the source file and line even inside a minified bundle, without
 * Node's --enable-source-maps (which would parse every bundle's map at cold start).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from '../../../build/esbuild-service.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_SETTINGS } from '../../../build/function-build.js';
import { PROJECT_ROOT } from '../../../lib/project-root.js';
import { sourceMappedStack } from '../../../functions/shared/source-mapped-stack.js';

const outdir = await mkdtemp(path.join(os.tmpdir(), 'lambase-stack-'));
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe('source-mapped stacks', () => {
  it("turns a bundle's positions into the source's, and leaves other lines alone", async () => {
    await build({ ...BUNDLE_SETTINGS, entryPoints: [{ in: path.join(PROJECT_ROOT, 'test/fixtures/functions/throws.ts'), out: 'throws/index' }], outdir, absWorkingDir: PROJECT_ROOT });
    // In a process of its own: this one (vitest's) maps stacks already.
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(path.join(outdir, 'throws/index.mjs')).href)}); await handler().catch((error) => console.log(error.stack));`;
    const { stdout: stack } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(stack).toMatch(/index\.mjs:\d+:\d+/);
    const mapped = sourceMappedStack(stack.trim());
    expect(mapped).toContain('test/fixtures/functions/throws.ts:3:9');
    expect(mapped).not.toMatch(/index\.mjs:\d+/);
    expect(mapped.split('\n')[0]).toBe('Error: thrown on purpose');
    expect(sourceMappedStack('Error: x\n    at f (/nowhere/index.mjs:1:2)')).toBe('Error: x\n    at f (/nowhere/index.mjs:1:2)');
  });
});
