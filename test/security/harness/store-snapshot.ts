/**
 * Everything the backend keeps, read straight from the emulators behind the API: every table item,
 * every user (status, attributes, groups left aside) and every stored object. Two snapshots that
 * differ mean a request changed the store — which a refused request must never do.
 */
import { createHash } from 'node:crypto';
import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { localS3ClientOptions } from '../../../local/emulators/s3/start-s3.js';
import type { World } from './world.js';

export type StoreSnapshot = { items: Map<string, string>; users: Map<string, string>; objects: Map<string, string> };
export type StorePart = keyof StoreSnapshot;
const EVERY_PART: readonly StorePart[] = ['items', 'users', 'objects'];

/** Items that change without a request: the cursor-signing key is created on the first list. */
const VOLATILE_PARTITIONS = new Set(['#META']);

export class StoreReader {
  private readonly dynamodb: DynamoDBClient;
  private readonly cognito: CognitoIdentityProviderClient;
  private readonly s3: S3Client;

  constructor(private readonly world: World) {
    const common = { region: world.region, credentials: world.credentials };
    this.dynamodb = new DynamoDBClient({ ...common, endpoint: world.endpoints.dynamodb });
    this.cognito = new CognitoIdentityProviderClient({ ...common, endpoint: world.endpoints.cognito });
    this.s3 = new S3Client({ ...common, endpoint: world.endpoints.s3, ...localS3ClientOptions });
  }

  /** The store, or the parts of it named (the others read as empty). */
  async snapshot(parts: readonly StorePart[] = EVERY_PART): Promise<StoreSnapshot> {
    const read = (part: StorePart, reader: () => Promise<Map<string, string>>) => (parts.includes(part) ? reader() : Promise.resolve(new Map<string, string>()));
    const [items, users, objects] = await Promise.all([read('items', () => this.items()), read('users', () => this.users()), read('objects', () => this.objects())]);
    return { items, users, objects };
  }

  /** What changed from `before` to `after`, as readable lines (empty when nothing did). */
  static changes(before: StoreSnapshot, after: StoreSnapshot): string[] {
    const lines: string[] = [];
    for (const kind of ['items', 'users', 'objects'] as const) {
      for (const [key, digest] of after[kind]) {
        if (!before[kind].has(key)) lines.push(`${kind}: added ${key}`);
        else if (before[kind].get(key) !== digest) lines.push(`${kind}: changed ${key}`);
      }
      for (const key of before[kind].keys()) if (!after[kind].has(key)) lines.push(`${kind}: removed ${key}`);
    }
    return lines;
  }

  destroy(): void {
    this.dynamodb.destroy();
    this.cognito.destroy();
    this.s3.destroy();
  }

  private async items(): Promise<Map<string, string>> {
    const items = new Map<string, string>();
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      // The suite reads the whole table on purpose; the backend itself never scans.
      const page = await this.dynamodb.send(new ScanCommand({ TableName: this.world.tableName, ExclusiveStartKey, ConsistentRead: true }));
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S ?? '';
        if (VOLATILE_PARTITIONS.has(pk)) continue;
        items.set(`${pk} ${item.sk?.S ?? ''}`, digest(item));
      }
      ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (ExclusiveStartKey);
    return items;
  }

  private async users(): Promise<Map<string, string>> {
    const users = new Map<string, string>();
    let PaginationToken: string | undefined;
    do {
      const page = await this.cognito.send(new ListUsersCommand({ UserPoolId: this.world.userPoolId, PaginationToken }));
      for (const user of page.Users ?? []) {
        users.set(user.Username ?? '', digest({ status: user.UserStatus, enabled: user.Enabled, attributes: user.Attributes }));
      }
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    return users;
  }

  private async objects(): Promise<Map<string, string>> {
    const objects = new Map<string, string>();
    let ContinuationToken: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.world.bucketName, ContinuationToken }));
      for (const object of page.Contents ?? []) objects.set(object.Key ?? '', `${object.ETag} ${object.Size}`);
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return objects;
  }
}

/** A stable digest of a JSON-like value (object keys sorted). */
function digest(value: unknown): string {
  const sorted = (input: unknown): unknown =>
    Array.isArray(input)
      ? input.map(sorted)
      : input && typeof input === 'object'
        ? Object.fromEntries(Object.entries(input).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, sorted(inner)]))
        : input;
  return createHash('sha256').update(JSON.stringify(sorted(value))).digest('base64url');
}
