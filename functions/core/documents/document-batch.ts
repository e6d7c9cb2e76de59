/**
 * `POST /data/_batch`: up to 25 creates, updates and deletes across collections, written all or
 * nothing in one transaction. Every operation is validated and authorized first; if any fails,
 * nothing is written and the answer lists each failed operation by index.
 */
import type { Caller } from '../config/access-rules.js';
import { ApiError, TransactionCanceledError, ValidationError, type ErrorDetail } from '../errors.js';
import * as z from '../zod.js';
import { toDocument, type Document } from './document-item.js';
import { assertClientFields, parseFields, schemasOf } from './document-schemas.js';
import { applyPatch, type DocumentService } from './document-service.js';
import type { DocumentStore, TransactionWrite } from './document-store.js';

export const MAX_BATCH_OPERATIONS = 25;

function nonEmpty() {
  return z.string().check(z.minLength(1));
}

export const batchOperationSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create'), collection: nonEmpty(), data: z.record(z.string(), z.unknown()) }),
  z.strictObject({
    op: z.literal('update'),
    collection: nonEmpty(),
    id: nonEmpty(),
    data: z.record(z.string(), z.unknown()),
    ifVersion: z.optional(z.number().check(z.int(), z.positive())),
  }),
  z.strictObject({ op: z.literal('delete'), collection: nonEmpty(), id: nonEmpty(), ifVersion: z.optional(z.number().check(z.int(), z.positive())) }),
]);
export const batchBodySchema = z.strictObject({
  operations: z.array(batchOperationSchema).check(z.minLength(1), z.maxLength(MAX_BATCH_OPERATIONS, `at most ${MAX_BATCH_OPERATIONS} operations`)),
});
export type BatchOperation = z.infer<typeof batchOperationSchema>;
export type BatchResult = { op: BatchOperation['op']; collection: string; id: string; document?: Document };

export async function runBatch(
  service: DocumentService,
  store: DocumentStore,
  caller: Caller,
  operations: BatchOperation[],
): Promise<{ results: BatchResult[] }> {
  const failures: ErrorDetail[] = [];
  const planned = await Promise.all(
    operations.map(async (operation, index) => {
      try {
        return await plan(service, caller, operation, index);
      } catch (error) {
        // The client's own mistakes are reported per operation; throttling and faults are not.
        if (!(error instanceof ApiError) || error.status === 429 || error.status >= 500) throw error;
        failures.push({ index, code: error.code, message: error.message });
        return undefined;
      }
    }),
  );
  const targets = new Map<string, number>();
  planned.forEach((step, index) => {
    if (!step) return;
    const key = `${step.result.collection}/${step.result.id}`;
    if (targets.has(key)) {
      failures.push({ index, code: 'ValidationFailed', message: `Operation ${targets.get(key)} already targets this document.` });
    }
    targets.set(key, index);
  });
  if (failures.length) throw canceled(failures);

  const steps = planned as Step[];
  const outcome = await store.transact(steps.map((step) => step.write));
  if (!outcome.ok) {
    throw canceled([
      ...outcome.failedConditions.map((index) => ({
        index,
        code: operations[index]!.op !== 'create' && operations[index]!.ifVersion !== undefined ? 'PreconditionFailed' : 'Conflict',
        message:
          operations[index]!.op === 'create'
            ? 'A document with this id exists already.'
            : 'The document changed (or was deleted) while the batch ran.',
      })),
      ...outcome.conflicts.map((index) => ({
        index,
        code: 'Conflict',
        message: 'Another request was changing this document at the same moment; retry the batch.',
      })),
    ]);
  }
  return { results: steps.map((step) => step.result) };
}

type Step = { write: TransactionWrite; result: BatchResult };

async function plan(service: DocumentService, caller: Caller, operation: BatchOperation, index: number): Promise<Step> {
  const prefix = `operations.${index}.data`;
  if (service.collection(operation.collection).geofences) {
    // A fence's cells ride in its own transaction (up to 99 items), which a batch cannot share.
    throw new ValidationError(`operations.${index}.collection: ${operation.collection} holds geofences, which are written one at a time, not in a batch.`, {
      details: [{ path: `operations.${index}.collection`, message: 'Geofences are not written in batches' }],
    });
  }
  if (operation.op === 'create') {
    const collection = service.authorizeAction(caller, operation.collection, 'create');
    const item = service.newItem(collection, caller, operation.data, prefix);
    return { write: { kind: 'put', item }, result: { op: 'create', collection: collection.name, id: item.id, document: toDocument(item) } };
  }
  const action = operation.op;
  const collection = service.authorizeAction(caller, operation.collection, action);
  const current = await service.writable(caller, collection, operation.id, action, operation.ifVersion);
  if (operation.op === 'delete') {
    return {
      write: { kind: 'delete', collection: collection.name, id: current.id, expectedVersion: current.version },
      result: { op: 'delete', collection: collection.name, id: current.id },
    };
  }
  assertClientFields(operation.data, prefix);
  const changes = parseFields(schemasOf(collection).patch, operation.data, prefix);
  const fields = parseFields(schemasOf(collection).full, applyPatch(current.data, changes), prefix);
  const next = service.nextItem(collection, current, fields);
  return {
    write: { kind: 'put', item: next, expectedVersion: current.version },
    result: { op: 'update', collection: collection.name, id: next.id, document: toDocument(next) },
  };
}

function canceled(failures: ErrorDetail[]): TransactionCanceledError {
  const sorted = [...failures].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return new TransactionCanceledError(
    `The batch was not written: ${sorted.length} operation${sorted.length > 1 ? 's' : ''} failed (first: #${sorted[0]!.index}, ${sorted[0]!.message})`,
    { details: sorted },
  );
}
