/**
 * Document types. `npm run types` turns `lambase.config.ts` into a `.d.ts` that registers each
 * collection's document, create and update shapes here, so `client.collection('notes')` is typed
 * (and a field `notes` does not have is a compile error) with no hand-written interface.
 */
import type { GeoPoint } from './api-types.js';

/** The fields the server sets on every document. */
export type DocumentBase = { id: string; owner: string; createdAt: string; updatedAt: string; version: number };

/** One collection: the document as read, the body of a create (or replace), the body of a patch. */
export type CollectionTypes = { document: DocumentBase; create: object; update: object };

export type Schema = { collections: Record<string, CollectionTypes> };

/** Without generated types: any collection, any fields. */
export type UntypedSchema = {
  collections: Record<string, { document: DocumentBase & Record<string, unknown>; create: Record<string, unknown>; update: Record<string, unknown> }>;
};

/**
 * The generated types add `schema` here (`declare module '@lambase/client'`), which types
 * `createClient()` without a type argument. An interface, not a type: only interfaces merge.
 */
export interface Register {}

export type RegisteredSchema = Register extends { schema: infer S extends Schema } ? S : UntypedSchema;

export type CollectionName<S extends Schema> = keyof S['collections'] & string;

export type Scalar = string | number | boolean;

type Operand<T> = T extends string ? string : T extends number ? number : never;

/** A `where` value: equality, or one comparison (booleans compare by equality only). */
export type Condition<T> =
  | T
  | { eq: T }
  | { lt: Operand<T> }
  | { lte: Operand<T> }
  | { gt: Operand<T> }
  | { gte: Operand<T> }
  | { between: readonly [Operand<T>, Operand<T>] }
  | { beginsWith: T extends string ? string : never };

/** Documents within `radiusMeters` (1–50,000) of a point, nearest first, each with `distanceMeters`. */
export type Near = { near: GeoPoint & { radiusMeters: number } };
/** Documents inside a box (≤ 100 km a side; `west > east` crosses the antimeridian). */
export type Within = { within: { south: number; west: number; north: number; east: number } };

type Untyped<D> = string extends keyof D ? true : false;

/** A query's `where`: conditions on scalar fields, `near`/`within` on point fields. */
export type Where<D> =
  Untyped<D> extends true
    ? Record<string, Condition<Scalar> | Near | Within>
    : {
        [K in Exclude<keyof D, 'version'>]?: [NonNullable<D[K]>] extends [GeoPoint]
          ? Near | Within
          : [NonNullable<D[K]>] extends [Scalar]
            ? Condition<NonNullable<D[K]>>
            : never;
      };

/** A subscription's `where`: equalities only. */
export type Equals<D> =
  Untyped<D> extends true
    ? Record<string, Scalar>
    : { [K in keyof D]?: [NonNullable<D[K]>] extends [Scalar] ? NonNullable<D[K]> : never };

/** What a query may order by: the timestamps, or an index's sort field. */
export type SortField<D> =
  Untyped<D> extends true ? string : 'createdAt' | 'updatedAt' | { [K in keyof D]: [NonNullable<D[K]>] extends [string | number] ? K : never }[keyof D];

/** Refuses keys `Shape` does not have (a generic parameter escapes excess-property checks). */
export type Exactly<W, Shape> = W & { [K in Exclude<keyof W, keyof Shape>]: never };

type NearKeys<W> = { [K in keyof W]-?: NonNullable<W[K]> extends Near ? K : never }[keyof W];

/** What a query finds: with a `near` condition, each document carries its `distanceMeters`. */
export type Found<D, W> = [NearKeys<W>] extends [never] ? D : D & { distanceMeters: number };

/** A realtime change. `truncated`: the document was too large for a frame; read it with `get`. */
export type ChangeEvent<D> =
  | { event: 'created' | 'updated'; document: D; truncated?: false }
  | { event: 'deleted'; document: { id: string }; truncated?: false }
  | { event: 'created' | 'updated' | 'deleted'; document: { id: string }; truncated: true };

/** One operation of `client.batch`. */
export type BatchOperation<S extends Schema> = {
  [C in CollectionName<S>]:
    | { op: 'create'; collection: C; data: S['collections'][C]['create'] }
    | { op: 'update'; collection: C; id: string; data: S['collections'][C]['update']; ifVersion?: number }
    | { op: 'delete'; collection: C; id: string; ifVersion?: number };
}[CollectionName<S>];

/** One result of `client.batch`, in the order of the operations; `document` for creates and updates. */
export type BatchResult<S extends Schema> = {
  [C in CollectionName<S>]: { op: 'create' | 'update' | 'delete'; collection: C; id: string; document?: S['collections'][C]['document'] };
}[CollectionName<S>];
