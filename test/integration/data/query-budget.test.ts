/**
 * A filtered query reads on while filters drop items, but within a budget per page: past it,
 * the page answers with what it found (never nothing) and a cursor that resumes where it stopped.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { DynamoDbDocumentStore } from '../../../functions/adapters/dynamodb-document-store.js';
import { DocumentService } from '../../../functions/core/documents/document-service.js';
import { pageCursors } from '../../../functions/core/pagination/cursor.js';

it('pages through sparse matches within the read budget, never answering an empty page while more exist', async () => {
  const store = new DynamoDbDocumentStore(createDocumentClient(), process.env.LAMBASE_TABLE_NAME!, { filteredReadSize: 5, maxReadsPerPage: 2 });
  let clock = Date.now();
  const service = new DocumentService({ backend, store, cursors: pageCursors(async () => Buffer.alloc(32, 1)), clock: { now: () => new Date((clock += 1000)) }, newId: () => randomUUID() });
  const caller = { userId: `sparse-${randomUUID()}`, groups: [] };
  await service.create(caller, 'notes', { title: 'oldest match', pinned: true });
  for (let i = 0; i < 24; i++) await service.create(caller, 'notes', { title: `filler ${i}` });
  await service.create(caller, 'notes', { title: 'newest match', pinned: true });

  const titles: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await service.query(caller, 'notes', { where: { pinned: true } }, { limit: 5, cursor });
    sizes.push(page.items.length);
    titles.push(...page.items.map((item) => item.title as string));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 20);
  expect(titles).toEqual(['newest match', 'oldest match']);
  // Every page but a last one (which then has no cursor) carries something.
  expect(sizes.slice(0, -1).every((size) => size > 0)).toBe(true);
  expect(sizes.length).toBeGreaterThan(1); // the budget really split the work
});
