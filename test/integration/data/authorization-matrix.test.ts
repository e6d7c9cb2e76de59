/**
 * Every action × every kind of caller × every rule kind, with the exact status each must get,
 * through the real document service and the DynamoDB emulator.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { DynamoDbDocumentStore } from '../../../functions/adapters/dynamodb-document-store.js';
import type { AccessRule, Caller } from '../../../functions/core/config/access-rules.js';
import { systemClock } from '../../../functions/core/clock.js';
import { defineBackend } from '../../../functions/core/config/define-backend.js';
import { DocumentService, MAX_DOCUMENT_BYTES } from '../../../functions/core/documents/document-service.js';
import { toItem } from '../../../functions/core/documents/document-item.js';
import { ApiError } from '../../../functions/core/errors.js';
import { pageCursors } from '../../../functions/core/pagination/cursor.js';

const uniform = (rule: AccessRule | AccessRule[]) => ({ read: rule, create: rule, update: rule, delete: rule });
const backend = defineBackend({
  collections: {
    pub: { fields: { title: z.string() }, access: uniform('public') },
    signed: { fields: { title: z.string() }, access: uniform('authenticated') },
    own: { fields: { title: z.string() }, access: uniform('owner') },
    team: { fields: { title: z.string() }, access: uniform('group:editors') },
    mixed: { fields: { title: z.string() }, access: uniform(['owner', 'group:editors']) },
    board: {
      fields: { title: z.string(), notes: z.string().max(300_000).optional(), more: z.string().max(300_000).optional() },
      access: { read: 'authenticated', create: 'authenticated', update: 'owner', delete: ['owner', 'group:editors'] },
    },
  },
  auth: { adminGroup: 'admin' },
});

const store = new DynamoDbDocumentStore(createDocumentClient(), process.env.LAMBASE_TABLE_NAME!);
const service = new DocumentService({
  backend,
  store,
  cursors: pageCursors(async () => Buffer.alloc(32, 7)),
  clock: systemClock,
  newId: () => randomUUID(),
});

const actors: Record<string, Caller | undefined> = {
  anonymous: undefined,
  owner: { userId: `owner-${randomUUID()}`, groups: [] },
  other: { userId: `other-${randomUUID()}`, groups: [] },
  editor: { userId: `editor-${randomUUID()}`, groups: ['editors'] },
  admin: { userId: `admin-${randomUUID()}`, groups: ['admin'] },
};

/** A document owned by `owner`, written directly (whatever the rules), in `collection`. */
async function seed(collection: string): Promise<string> {
  const now = new Date().toISOString();
  const id = randomUUID();
  const item = toItem(backend.collections[collection]!, { id, owner: actors.owner!.userId, createdAt: now, updatedAt: now, version: 1 }, { title: 'seed' });
  await store.create(item);
  return id;
}

async function status(run: () => Promise<unknown>, success: number): Promise<number> {
  try {
    await run();
    return success;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

type Row = [collection: string, anonymous: number, owner: number, other: number, editor: number, admin: number];
const callers = ['anonymous', 'owner', 'other', 'editor', 'admin'] as const;

const matrix: Record<'create' | 'read' | 'update' | 'delete', Row[]> = {
  create: [
    ['pub', 201, 201, 201, 201, 201],
    ['signed', 401, 201, 201, 201, 201],
    ['own', 401, 201, 201, 201, 201],
    ['team', 401, 403, 403, 201, 201],
    ['mixed', 401, 201, 201, 201, 201],
    ['board', 401, 201, 201, 201, 201],
  ],
  read: [
    ['pub', 200, 200, 200, 200, 200],
    ['signed', 401, 200, 200, 200, 200],
    ['own', 401, 200, 404, 404, 200],
    ['team', 401, 404, 404, 200, 200],
    ['mixed', 401, 200, 404, 200, 200],
    ['board', 401, 200, 200, 200, 200],
  ],
  update: [
    ['pub', 200, 200, 200, 200, 200],
    ['signed', 401, 200, 200, 200, 200],
    ['own', 401, 200, 404, 404, 200],
    ['team', 401, 404, 404, 200, 200],
    ['mixed', 401, 200, 404, 200, 200],
    ['board', 401, 200, 403, 403, 200],
  ],
  delete: [
    ['pub', 204, 204, 204, 204, 204],
    ['signed', 401, 204, 204, 204, 204],
    ['own', 401, 204, 404, 404, 204],
    ['team', 401, 404, 404, 204, 204],
    ['mixed', 401, 204, 404, 204, 204],
    ['board', 401, 204, 403, 204, 204],
  ],
};

describe('the authorization matrix', () => {
  for (const [action, rows] of Object.entries(matrix)) {
    for (const [collection, ...expected] of rows) {
      it(`${action} on ${collection}: ${callers.map((who, i) => `${who} ${expected[i]}`).join(', ')}`, async () => {
        const got: number[] = [];
        for (const who of callers) {
          const caller = actors[who];
          const id = await seed(collection);
          got.push(
            await (action === 'create'
              ? status(() => service.create(caller, collection, { title: 'new' }), 201)
              : action === 'read'
                ? status(() => service.get(caller, collection, id), 200)
                : action === 'update'
                  ? status(() => service.update(caller, collection, id, { title: 'changed' }, undefined), 200)
                  : status(() => service.remove(caller, collection, id, undefined), 204)),
          );
        }
        expect(got).toEqual(expected);
      });
    }
  }

  it('lists show exactly the documents each caller may read', async () => {
    for (const collection of ['own', 'team', 'mixed']) {
      const id = await seed(collection);
      const sees: Record<string, boolean> = {};
      for (const who of callers.filter((name) => name !== 'anonymous')) {
        const page = await service.query(actors[who], collection, { where: who === 'owner' || who === 'other' ? undefined : undefined }, { limit: 100 });
        sees[who] = page.items.some((item) => item.id === id);
      }
      const expected = {
        own: { owner: true, other: false, editor: false, admin: true },
        team: { owner: false, other: false, editor: true, admin: true },
        mixed: { owner: true, other: false, editor: true, admin: true },
      }[collection];
      expect({ collection, ...sees }).toEqual({ collection, ...expected });
    }
    await expect(service.list(undefined, 'own', { limit: 10 })).rejects.toMatchObject({ status: 401 });
  });
});

describe('document size', () => {
  it('refuses, with 413, a change that would pass DynamoDB\'s item limit', async () => {
    const caller = actors.owner;
    const document = await service.create(caller, 'board', { title: 'big', notes: 'n'.repeat(200_000) });
    await expect(service.update(caller, 'board', document.id, { more: 'm'.repeat(200_000) }, undefined)).rejects.toMatchObject({
      status: 413,
      code: 'PayloadTooLarge',
      message: expect.stringContaining(String(MAX_DOCUMENT_BYTES)),
    });
    expect((await service.get(caller, 'board', document.id)).version).toBe(1);
  });
});
