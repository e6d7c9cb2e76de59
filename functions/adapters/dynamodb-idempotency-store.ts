/**
 * Where `Idempotency-Key` records live (functions/shared/idempotency.ts): Powertools' DynamoDB
 * persistence layer, keyed the single-table way — the key in pk (`IDEMPOTENCY#<operation>#<hash>`),
 * a fixed sk, expiring through the table's `ttl`. The only idempotency code that touches the SDK.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';

const IDEMPOTENCY_SORT_KEY = 'IDEMPOTENCY';

class SingleTablePersistenceLayer extends DynamoDBPersistenceLayer {
  protected override getKey(idempotencyKey: string) {
    return marshall({ [TABLE_KEY.partition]: idempotencyKey, [TABLE_KEY.sort]: IDEMPOTENCY_SORT_KEY });
  }
}

/** Idempotency records in the single table, written through the environment's DynamoDB client. */
export function singleTableIdempotencyStore(client: DynamoDBClient, tableName: string): BasePersistenceLayer {
  return new SingleTablePersistenceLayer({
    tableName,
    keyAttr: TABLE_KEY.partition,
    expiryAttr: TTL_ATTRIBUTE,
    awsSdkV3Client: client,
  });
}
