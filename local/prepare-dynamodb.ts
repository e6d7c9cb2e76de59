/**
 * Installs DynamoDB Local and makes its class archive for the `java` on PATH, so that a start
 * after `npm install` neither fetches nor archives anything (postinstall runs it). A failure
 * (registry unreachable, no Java yet) only warns: every start fetches what is missing, and makes
 * the archive again next to itself when it has none for its Java.
 *
 *   node --import tsx local/prepare-dynamodb.ts
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { buildClassArchive } from './emulators/dynamodb.js';
import { ensureDynamoDbLocal } from './emulators/dynamodb-local-install.js';

const say = (line: string) => console.log(`lambase: ${line}`);
try {
  const folder = await ensureDynamoDbLocal(say);
  say(`DynamoDB Local is ready in ${path.relative(PROJECT_ROOT, folder)}`);
  const began = performance.now();
  const archive = await buildClassArchive({ log: say });
  if (archive) say(`DynamoDB Local's class archive is ready (${((performance.now() - began) / 1000).toFixed(1)} s)`);
} catch (error) {
  console.warn(`⚠ lambase: DynamoDB Local is not fully prepared now (${(error as Error).message.split('\n')[0]}); npm start will do what is missing.`);
}
