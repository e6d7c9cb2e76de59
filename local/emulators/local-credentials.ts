/**
 * The key pairs local mode signs with.
 *
 * DynamoDB Local listens on every network interface (it has no bind-address option) and checks no
 * signature, but it keeps one database per access key id and region. So each data folder gets its
 * own random key pair, kept in the folder (0600) and given to every function and emulator client of
 * that folder: a client from elsewhere on the network, which does not know the key id, reaches an
 * empty database of its own. The S3 front and s3rver check signatures made with the same pair, and
 * the local Cognito accepts any.
 *
 * LOCAL_CREDENTIALS, the well-known pair, is for emulators that hold no one's data (the tests'
 * in-memory emulators).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type LocalCredentials = { readonly accessKeyId: string; readonly secretAccessKey: string };

export const LOCAL_CREDENTIALS: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** In the data folder; `--reset` removes it with the rest, and the next start makes a new pair. */
export const CREDENTIALS_FILE = 'local-credentials.json';

/** DynamoDB Local names its database file after the key id: letters and digits only. */
const ACCESS_KEY_ID = /^[A-Z0-9]{20,128}$/;

/**
 * The data folder's key pair, created on first use. The key id carries 160 random bits: it is the
 * secret that keeps DynamoDB Local's data to this folder's backend.
 *
 * @example
 * const credentials = await dataDirCredentials('.lambase');
 * new DynamoDBClient({ endpoint, region, credentials });
 */
export async function dataDirCredentials(dataDir: string): Promise<LocalCredentials> {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const existing = await readFile(file, 'utf8').then(parseCredentials, () => undefined);
  if (existing) return existing;
  const created: LocalCredentials = {
    accessKeyId: `LB${randomBytes(20).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  // Written aside and renamed, so a crash never leaves half a key (and tables under a key nobody knows).
  const aside = `${file}.${process.pid}.tmp`;
  await writeFile(aside, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  await rename(aside, file);
  return created;
}

function parseCredentials(text: string): LocalCredentials | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LocalCredentials>;
    if (typeof parsed.accessKeyId === 'string' && ACCESS_KEY_ID.test(parsed.accessKeyId) && typeof parsed.secretAccessKey === 'string' && parsed.secretAccessKey) {
      return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
    }
  } catch {
    // a torn or foreign file: replaced below
  }
  return undefined;
}
