/** The JSON Schema → TypeScript step of `npm run types`, on the shapes zod emits. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { typeOf, type JsonSchema } from '../../codegen/json-schema-to-ts.js';

function render(schema: z.ZodType, io: 'input' | 'output' = 'output'): string {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Exclude<JsonSchema, boolean>;
  let geo = false;
  const type = typeOf(json, { defs: json.$defs ?? {}, usesGeoPoint: () => void (geo = true) });
  return geo ? `${type} (GeoPoint)` : type;
}

describe('typeOf', () => {
  it.each([
    ['a string', z.string().min(1), 'string'],
    ['an integer', z.number().int(), 'number'],
    ['a literal', z.literal('draft'), '"draft"'],
    ['an enum whose value holds a bar', z.enum(['a|b', 'c']), '"a|b" | "c"'],
    ['a nullable', z.string().nullable(), 'string | null'],
    ['an array of a union', z.array(z.union([z.string(), z.number()])), '(string | number)[]'],
    ['an array of literal unions', z.array(z.enum(['x', 'y'])), '("x" | "y")[]'],
    ['a tuple', z.tuple([z.string(), z.number()]), '[string, number]'],
    ['a tuple with a rest', z.tuple([z.string()], z.boolean()), '[string, ...boolean[]]'],
    ['a record', z.record(z.string(), z.number()), 'Record<string, number>'],
    ['an object with a catchall', z.object({ a: z.string() }).catchall(z.number()), '{\n  a: string;\n  [key: string]: unknown;\n}'],
    ['a date (not JSON)', z.date(), 'unknown'],
    ['a point', z.object({ lat: z.number(), lng: z.number() }), 'GeoPoint (GeoPoint)'],
    ['a near-point with more fields', z.object({ lat: z.number(), lng: z.number(), alt: z.number() }), '{\n  lat: number;\n  lng: number;\n  alt: number;\n}'],
    ['a named schema (a $ref)', z.object({ slug: z.string().meta({ id: 'Slug' }) }), '{\n  slug: string;\n}'],
  ])('types %s', (_, schema, expected) => {
    expect(render(schema)).toBe(expected);
  });

  it('ends a recursive schema with unknown instead of looping', () => {
    type Tree = { name: string; children: Tree[] };
    const tree: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(tree) }));
    expect(render(z.object({ root: tree }))).toContain('children: unknown[];');
  });

  it('reads a transform by its input when writing and leaves its output unknown when reading', () => {
    const length = z.string().transform((text) => text.length);
    expect(render(length, 'input')).toBe('string');
    expect(render(length, 'output')).toBe('unknown');
  });
});
