/**
 * JSON Schema (what `z.toJSONSchema` produces from the config's zod fields) to a TypeScript type
 * expression. Covers what zod emits: scalars, enums, literals, unions, intersections, arrays,
 * tuples, objects and records, `$ref`s into `$defs`; whatever it cannot represent is `unknown`.
 * An object of exactly `{ lat: number, lng: number }` is the client's `GeoPoint`.
 */

export type JsonSchema = boolean | JsonSchemaObject;

type JsonSchemaObject = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  description?: string;
};

export type Rendering = {
  defs: Record<string, JsonSchema>;
  /** Called when the type uses `GeoPoint`, so the file imports it. */
  usesGeoPoint: () => void;
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export const propertyKey = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

/** A TypeScript type for `schema`, laid out at `indent`. */
export function typeOf(schema: JsonSchema, rendering: Rendering, indent = '', seen: ReadonlySet<string> = new Set()): string {
  if (schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    const target = rendering.defs[name];
    // A recursive schema has no finite inline form.
    if (target === undefined || seen.has(name)) return 'unknown';
    return typeOf(target, rendering, indent, new Set([...seen, name]));
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return union(schema.enum.map((value) => JSON.stringify(value)));
  if (schema.anyOf ?? schema.oneOf) return union((schema.anyOf ?? schema.oneOf)!.map((member) => typeOf(member, rendering, indent, seen)));
  if (schema.allOf) return schema.allOf.map((member) => wrap(typeOf(member, rendering, indent, seen))).join(' & ');
  if (Array.isArray(schema.type)) return union(schema.type.map((type) => typeOf({ ...schema, type }, rendering, indent, seen)));
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return arrayType(schema, rendering, indent, seen);
    case 'object':
      return objectType(schema, rendering, indent, seen);
    default:
      return 'unknown';
  }
}

function arrayType(schema: JsonSchemaObject, rendering: Rendering, indent: string, seen: ReadonlySet<string>): string {
  if (schema.prefixItems) {
    const members = schema.prefixItems.map((item) => typeOf(item, rendering, indent, seen));
    if (schema.items !== false && schema.items !== undefined) members.push(`...${wrap(typeOf(schema.items, rendering, indent, seen))}[]`);
    return `[${members.join(', ')}]`;
  }
  return `${wrap(typeOf(schema.items ?? true, rendering, indent, seen))}[]`;
}

function objectType(schema: JsonSchemaObject, rendering: Rendering, indent: string, seen: ReadonlySet<string>): string {
  const properties = Object.entries(schema.properties ?? {});
  if (isPoint(schema, rendering)) {
    rendering.usesGeoPoint();
    return 'GeoPoint';
  }
  const extra = schema.additionalProperties;
  const extraType = typeof extra === 'object' ? typeOf(extra, rendering, indent, seen) : undefined;
  if (properties.length === 0) return extra === false ? 'Record<string, never>' : `Record<string, ${extraType ?? 'unknown'}>`;
  const required = new Set(schema.required ?? []);
  return objectLiteral(
    properties.map(([name, property]) => ({
      name,
      optional: !required.has(name),
      type: typeOf(property, rendering, `${indent}  `, seen),
      description: typeof property === 'object' ? property.description : undefined,
    })),
    indent,
    // Declared properties must fit the index signature: only `unknown` fits them all.
    extraType === undefined ? undefined : 'unknown',
  );
}

export type Member = { name: string; optional: boolean; type: string; description?: string | undefined };

/** `{ name: type; … }` over several lines, each member with its description as TSDoc. */
export function objectLiteral(members: Member[], indent: string, indexSignature?: string): string {
  const inner = `${indent}  `;
  const lines = members.map(
    (member) =>
      `${member.description ? `${inner}/** ${member.description.replace(/\*\//g, '*\\/')} */\n` : ''}${inner}${propertyKey(member.name)}${member.optional ? '?' : ''}: ${member.type};`,
  );
  if (indexSignature) lines.push(`${inner}[key: string]: ${indexSignature};`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function isPoint(schema: JsonSchemaObject, rendering: Rendering): boolean {
  const names = Object.keys(schema.properties ?? {}).sort();
  if (names.join() !== 'lat,lng' || !['lat', 'lng'].every((name) => schema.required?.includes(name))) return false;
  return names.every((name) => typeOf(schema.properties![name]!, rendering) === 'number');
}

function union(members: string[]): string {
  return [...new Set(members)].join(' | ') || 'never';
}

/** Parenthesizes a union or intersection (outside any braces) before `[]` or `&`. */
function wrap(type: string): string {
  let depth = 0;
  // Literal types are JSON strings: skip their contents.
  for (const char of type.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('{[(<'.includes(char)) depth++;
    else if ('}])>'.includes(char)) depth--;
    else if (depth === 0 && (char === '|' || char === '&')) return `(${type})`;
  }
  return type;
}
