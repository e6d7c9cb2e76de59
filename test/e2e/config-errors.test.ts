/**
 * A wrong lambase.config.ts stops `cdk synth` and `npm start` alike, with a message that names
 * the field and the fix. Each case runs in a copy of the project with only the config changed.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-root.js';

const run = promisify(execFile);
const copies: string[] = [];

async function projectWithConfig(edit: (config: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-config-'));
  copies.push(dir);
  for (const entry of ['bin', 'build', 'lib', 'functions', 'local', 'package.json', 'tsconfig.json', 'cdk.json']) {
    await cp(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const config = await readFile(path.join(PROJECT_ROOT, 'lambase.config.ts'), 'utf8');
  const changed = edit(config);
  expect(changed).not.toBe(config);
  await writeFile(path.join(dir, 'lambase.config.ts'), changed);
  return dir;
}

async function failure(dir: string, command: string, args: string[]): Promise<string> {
  try {
    await run(command, args, { cwd: dir, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' }, timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout: string; stderr: string; code: number };
    expect(code).toBe(1);
    return `${stdout}${stderr}`;
  }
  throw new Error(`${command} ${args.join(' ')} succeeded with a broken config`);
}

const synth = (dir: string) => failure(dir, path.join(PROJECT_ROOT, 'node_modules/.bin/cdk'), ['synth', '--quiet', '-o', path.join(dir, 'cdk.out')]);
const start = (dir: string) => failure(dir, process.execPath, ['--import', 'tsx', 'local/cli.ts', '--port', '0', '--data-dir', path.join(dir, '.lambase')]);

afterAll(async () => {
  await Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('a wrong lambase.config.ts', () => {
  it('an unknown access rule fails synth and npm start, naming the field', async () => {
    const dir = await projectWithConfig((config) => config.replace("read: 'public', create: 'authenticated'", "read: 'everyone', create: 'authenticated'"));
    const expected = 'collections.posts.access.read: unknown access rule "everyone": use "public", "authenticated", "owner" or "group:<name>"';
    expect(await synth(dir)).toContain(expected);
    expect(await start(dir)).toContain(expected);
  });

  it('an index on a missing field fails synth and npm start, naming the field', async () => {
    const dir = await projectWithConfig((config) => config.replace("partition: 'category'", "partition: 'categry'"));
    const expected = 'collections.posts.indexes.byCategory.partition: "categry" is not a field of posts';
    expect(await synth(dir)).toContain(expected);
    expect(await start(dir)).toContain(expected);
  });
});
