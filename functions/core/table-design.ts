/**
 * The single table's shape: key attributes and global secondary indexes. The CDK data construct,
 * the local/test provisioning and the DynamoDB adapters all read this one definition, so the
 * table the code queries is the table that exists. ARCHITECTURE.md explains the access patterns.
 */
import { MAX_INDEXES_PER_COLLECTION } from './config/collection-rules.js';

export const TABLE_KEY = { partition: 'pk', sort: 'sk' } as const;

/** The attribute DynamoDB TTL reads (epoch seconds); only items with an expiry carry it. */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The `entity` attribute of the item kinds that readers of the table's stream tell apart (the
 * event dispatcher: functions/core/events/table-events.ts), named once for their stores and readers.
 */
export const ENTITY = { document: 'document', file: 'file', profile: 'profile', geofenceEvent: 'geofenceEvent' } as const;

/** The partition-key prefix of a user function's event receipts (one item per event it ran). */
export const eventReceiptPrefix = (functionName: string) => `EVENT#${functionName}`;

export type IndexDesign = { name: string; partition: string; sort: string };

/**
 * Fixed indexes every table has. All are sparse: an item appears only when it carries the keys.
 * - byOwnerCreated / byOwnerUpdated: one owner's items of one kind (`ownerKey = <kind>#<userId>`).
 * - byCollection: every document of a collection that is readable beyond its owner.
 */
export const FIXED_INDEXES = {
  byOwnerCreated: { name: 'byOwnerCreated', partition: 'ownerKey', sort: 'createdAt' },
  byOwnerUpdated: { name: 'byOwnerUpdated', partition: 'ownerKey', sort: 'updatedAt' },
  byCollection: { name: 'byCollection', partition: 'listKey', sort: 'createdAt' },
} as const satisfies Record<string, IndexDesign>;

/** The generic GSI that stores a collection's n-th declared index. */
export function indexSlot(slot: number): IndexDesign {
  return { name: `ix${slot}`, partition: `ix${slot}pk`, sort: `ix${slot}sk` };
}

/**
 * Every GSI the table has: the fixed ones and every index slot, whatever the config declares
 * today. CloudFormation can add only one GSI per update, so a config that grew from one to three
 * indexes would otherwise fail to deploy; unused slots are empty (sparse) and cost nothing.
 */
export function tableIndexes(): IndexDesign[] {
  return [...Object.values(FIXED_INDEXES), ...Array.from({ length: MAX_INDEXES_PER_COLLECTION }, (_, i) => indexSlot(i + 1))];
}
