/**
 * Query values that cannot be keys (DynamoDB: 2048 bytes of partition key, 1024 of sort key) are
 * the client's mistake, 400 — not a ValidationException from DynamoDB, which was a 500 (sort
 * keys), or an empty page locally and a 500 in the cloud (partition keys). Found by the security
 * suite's hostile-input tests.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineBackend } from '../../../functions/core/config/define-backend.js';
import { planQuery, type QueryInput } from '../../../functions/core/documents/query-plan.js';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';
import { ValidationError } from '../../../functions/core/errors.js';

const backend = defineBackend({
  collections: {
    posts: {
      fields: { title: z.string(), category: z.string().max(50).optional(), rank: z.number().optional() },
      access: { read: 'public', create: 'authenticated', update: 'owner', delete: 'owner' },
      indexes: { byCategory: { partition: 'category', sort: 'createdAt' }, byRank: { partition: 'category', sort: 'rank' } },
    },
    notes: { fields: { title: z.string() } },
  },
});
const posts = backend.collections.posts!;
const notes = backend.collections.notes!;
const caller = { userId: 'user-1', groups: [] };
const long = (bytes: number) => 'é'.repeat(bytes / 2);

const refusal = (field: string) => expect.objectContaining({ status: 400, code: 'ValidationFailed', details: [{ path: `where.${field}`, message: 'Too long to be a key' }] });

describe('query values past DynamoDB\'s key sizes', () => {
  const cases: [string, ResolvedCollection, QueryInput['where'], string][] = [
    ['an index partition value', posts, { category: long(2050) }, 'category'],
    ['an owner', posts, { owner: long(2050) }, 'owner'],
    ['an index sort condition', posts, { category: 'news', createdAt: { gt: long(1026) } }, 'createdAt'],
    ['a between on a sort key, both bounds together', posts, { category: 'news', createdAt: { between: [long(600), `${long(600)}z`] } }, 'createdAt'],
    ['a beginsWith on the caller\'s own documents', notes, { createdAt: { beginsWith: long(1026) } }, 'createdAt'],
  ];
  it.each(cases)('refuses %s with 400 naming the field', (_case, collection, where, field) => {
    let thrown: unknown;
    try {
      planQuery(collection, { where }, caller, 'admin');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(thrown).toEqual(refusal(field));
  });

  it('plans values that fit, up to the limits', () => {
    expect(planQuery(posts, { where: { category: 'news', createdAt: { gt: 'x'.repeat(1024) } } }, caller, 'admin')).toMatchObject({ index: expect.any(String) });
    expect(planQuery(notes, { where: { title: 'x'.repeat(100_000) } }, caller, 'admin')).toMatchObject({ filters: [expect.anything()] });
  });
});
