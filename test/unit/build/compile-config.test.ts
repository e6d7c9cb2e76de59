/**
 * The compiled config (build/compile-config.ts) is the config as written: each collection field
 * the user declares in full zod, rebuilt on zod/mini inside the bundles, accepts and refuses the
 * same values with the same messages, fills the same defaults and publishes the same JSON Schema.
 * Fields it cannot rebuild are named, so the build can say which one costs full zod.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as mini from '../../../functions/core/zod.js';
import backend from '../../../lambase.config.js';
import { compileConfig, compileSchema, compileSettings } from '../../../build/compile-config.js';
import { defineBackend } from '../../../functions/core/config/define-backend.js';

/** What a user writes in `fields`, construct by construct. */
const supported: Record<string, z.ZodType> = {
  'bounded string': z.string().min(1).max(200),
  'string with messages': z.string().min(2, 'Too short').max(5, { message: 'Too long' }).regex(/^[a-z]+$/i, 'Letters only'),
  'trimmed lower-case string': z.string().trim().toLowerCase().max(10),
  'string checks': z.string().startsWith('a').endsWith('z').includes('m').length(5),
  'case checks': z.string().lowercase(),
  email: z.email(),
  'email with a message, bounded': z.email('Enter an email').max(254),
  'string().email()': z.string().email(),
  url: z.url(),
  uuid: z.uuid(),
  'uuid v4': z.uuidv4(),
  'ISO date-time': z.iso.datetime(),
  'ISO date-time with offset': z.iso.datetime({ offset: true }),
  'ISO date': z.iso.date(),
  'ISO time': z.iso.time(),
  'whole number in range': z.number().int().min(0).max(100),
  'int()': z.int().positive(),
  'number checks': z.number().gt(1).lt(50).multipleOf(2),
  boolean: z.boolean(),
  'boolean with default': z.boolean().default(false),
  literal: z.literal('draft'),
  enum: z.enum(['low', 'medium', 'high']),
  'optional string': z.string().max(20).optional(),
  'nullable string': z.string().nullable(),
  nullish: z.number().nullish(),
  'bounded array of bounded strings': z.array(z.string().max(100)).max(20).optional(),
  'array with default': z.array(z.string()).default(['a']),
  'object (a point)': z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).meta({ id: 'TestPoint', description: 'A point' }),
  'strict object': z.strictObject({ a: z.string() }),
  'loose object': z.looseObject({ a: z.string() }),
  record: z.record(z.string(), z.number()),
  union: z.union([z.string().max(3), z.number()]),
  'discriminated union': z.discriminatedUnion('kind', [z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b'), value: z.number() })]),
  tuple: z.tuple([z.string(), z.number()]),
  described: z.string().describe('A label'),
  'string with a type message': z.string('Must be text'),
};

const rebuild = (schema: z.ZodType) => new Function('z', `return (${compileSchema(schema)});`)(mini) as mini.Schema;
const outcome = (schema: mini.Schema, input: unknown) => {
  const result = mini.safeParse(schema, input);
  return result.success ? { data: result.data } : { issues: JSON.parse(JSON.stringify(result.error.issues)) as unknown };
};
const edgeValues = [
  undefined, null, '', 'a', 'ab', 'abcde', 'abcdef', ' Mixed ', 'amz12', 'x'.repeat(201), 'a@b.co', 'not an email', 'https://example.com',
  '2024-02-29T10:00:00Z', '2024-02-30T10:00:00Z', '2024-01-01T10:00:00+02:00', '2024-01-01', '10:00', '123e4567-e89b-42d3-a456-426614174000',
  0, 1, 2, 1.5, -1, 49, 50, 100, 101, -91, true, false, 'draft', 'low', [], ['a'], Array.from({ length: 21 }, () => 'x'),
  { lat: 0, lng: 0 }, { lat: 91, lng: 0 }, { a: 'x' }, { a: 'x', b: 1 }, { kind: 'a' }, { kind: 'b', value: 1 }, { kind: 'c' }, ['a', 1], ['a', 'b'],
];

describe('compiling collection fields onto zod/mini', () => {
  it.each(Object.entries(supported))('%s: the same verdicts, messages, defaults and JSON Schema', (_name, schema) => {
    const compiled = rebuild(schema);
    for (const input of edgeValues) expect(outcome(compiled, input)).toEqual(outcome(schema, input));
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        expect(outcome(compiled, input)).toEqual(outcome(schema, input));
      }),
      { numRuns: 50 },
    );
    for (const io of ['input', 'output'] as const) expect(mini.toJSONSchema(compiled, { io })).toEqual(z.toJSONSchema(schema, { io }));
  });

  it('names each field it cannot rebuild, and why', () => {
    const config = defineBackend({
      collections: {
        notes: {
          fields: {
            title: z.string().max(200),
            slug: z.string().refine((slug) => !slug.includes(' ')),
            words: z.string().transform((text) => text.split(' ')),
            code: z.string().min(1, { error: (issue) => `bad ${issue.code}` }),
            token: z.string().default(() => Math.random().toString(36)),
            when: z.date(),
          },
        },
      },
    });
    const compiled = compileConfig(config, { zodModule: 'zod/mini', settingsModule: 'settings' });
    expect(compiled).toEqual({
      ok: false,
      problems: [
        'collections.notes.fields.slug: refinements run code the build cannot copy into the functions',
        'collections.notes.fields.words: transforms run code the build cannot copy into the functions',
        'collections.notes.fields.code: only constant error messages can be compiled: pass a string, not a function',
        expect.stringMatching(/^collections\.notes\.fields\.token: cannot be rebuilt on zod\/mini/),
        'collections.notes.fields.when: z.date() is not supported in collection fields',
      ],
    });
  });

  it('compiles the shipped config whole: its data as it is, every field rebuilt', async () => {
    // The compiled config takes its data from the settings module (so a bundle holds it once).
    const settingsModule = `data:text/javascript,${encodeURIComponent(compileSettings(backend))}`;
    const compiled = compileConfig(backend, { zodModule: import.meta.resolve('zod/mini'), settingsModule });
    if (!compiled.ok) throw new Error(compiled.problems.join('\n'));
    const module = (await import(`data:text/javascript,${encodeURIComponent(compiled.source)}`)) as {
      default: typeof backend;
    };
    const { collections, definition: _definition, ...settings } = module.default;
    const { collections: declared, definition: _declared, ...declaredSettings } = backend;
    expect(settings).toEqual(declaredSettings);
    for (const [name, collection] of Object.entries(declared)) {
      const { fields, ...rest } = collections[name]!;
      expect(rest).toEqual(Object.fromEntries(Object.entries(collection).filter(([key, value]) => key !== 'fields' && value !== undefined)));
      expect(Object.keys(fields)).toEqual(Object.keys(collection.fields));
      for (const [field, schema] of Object.entries(collection.fields)) {
        expect(mini.toJSONSchema(fields[field]!)).toEqual(z.toJSONSchema(schema as z.ZodType));
      }
    }
  });

  it("serves the settings alone as plain data: the config without the collections' field schemas, and no zod", async () => {
    const source = compileSettings(backend);
    expect(source).not.toMatch(/\bimport\b|\bz\./);
    const settings = ((await import(`data:text/javascript,${encodeURIComponent(source)}`)) as { default: Record<string, unknown> & { collections: Record<string, object> } }).default;
    const { collections: declared, definition: _definition, ...declaredSettings } = backend;
    const { collections, ...rest } = settings;
    expect(rest).toEqual(declaredSettings);
    expect(Object.keys(collections)).toEqual(Object.keys(declared));
    for (const [name, collection] of Object.entries(declared)) {
      // What the erasers and the location routes read: keys, access rules, indexes, geofences.
      expect(collections[name]).toEqual(Object.fromEntries(Object.entries(collection).filter(([key, value]) => key !== 'fields' && value !== undefined)));
      expect(collections[name]).not.toHaveProperty('fields');
    }
  });
});
