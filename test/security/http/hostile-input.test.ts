/**
 * Hostile input over the local gateway, with fast-check, for every route of the route table:
 * random and adversarial bodies (values swapped for hostile ones, `__proto__`/`constructor` keys,
 * deep nesting, 1 MB strings, numbers JSON cannot hold, invalid UTF-8, not JSON at all), wrong
 * content types, path parameters (traversal, NUL bytes, bad percent-encodings, ids past
 * DynamoDB's key sizes), query strings and headers. Whatever comes in: never a 5xx, a refusal is
 * a 4xx in the contract's shape, and a refused request leaves the store as it was (read back).
 *
 * Runs per route and kind of input: LAMBASE_SECURITY_FUZZ_RUNS (default 5 for a deliberate run;
 * CI's .ci/run sets 2 to stay within minutes; set it higher for a deeper search). A failure prints
 * fast-check's seed and the request.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, inject } from 'vitest';
import backend from '../../../lambase.config.js';
import type { Operation } from '../../../functions/contract/operation.js';
import { expectContractRefusal, send, type Request, type Response } from '../harness/http.js';
import { pathOf, pathParams, routes, storePartsOf, withQuery } from '../harness/route-requests.js';
import { testIn, type Tally } from '../harness/security-test.js';
import { StoreReader, type StorePart, type StoreSnapshot } from '../harness/store-snapshot.js';
import type { World } from '../harness/world.js';
import { scenarios } from '../scenarios/scenarios.js';

const world: World = inject('securityWorld');
const it = testIn('hostile-input');
const RUNS = Number(process.env.LAMBASE_SECURITY_FUZZ_RUNS ?? 5);
const store = new StoreReader(world);
afterAll(() => store.destroy());

// ——— hostile values ———

/** DynamoDB's key limits: 2048 bytes for a partition key, 1024 for a sort key. */
const pastKeyLimits = fc.integer({ min: 1025, max: 6000 }).map((length) => 'k'.repeat(length));

const hostileString = fc.oneof(
  fc.constantFrom(
    '', ' ', '..', '../../etc/passwd', '..\\..\\windows', '\u0000', 'a\u0000b', '__proto__', 'constructor', 'prototype',
    '$where', '{"$gt":""}', '<script>alert(1)</script>', "' OR '1'='1", '${7*7}', '\uD800', '\uFFFE', '𝌆'.repeat(60),
    'DOC#notes#x', 'USER#x', '#META', 'CURSOR_KEY', '*', '%', '%00', '%ff', 'null', 'undefined', 'NaN',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  pastKeyLimits,
);

const hostileNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 5e-324, 2 ** 64, -1, 0, 1.5);

/** An object with keys that poison careless code (prototype pollution, Mongo-style operators). */
const poisonedObject = fc
  .record({ key: fc.constantFrom('__proto__', 'constructor', 'prototype', '$gt', 'toString', 'hasOwnProperty'), value: fc.jsonValue({ maxDepth: 2 }) })
  .map(({ key, value }) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)},"admin":true}`) as unknown);

const deeplyNested = fc
  // Deeper still goes as raw text (below): JSON.stringify itself runs out of stack past a few thousand levels.
  .record({ depth: fc.integer({ min: 200, max: 2_000 }), array: fc.boolean() })
  .map(({ depth, array }) => {
    let value: unknown = 'bottom';
    for (let level = 0; level < depth; level++) value = array ? [value] : { a: value };
    return value;
  });

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constant(null),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 3 }),
  poisonedObject,
  deeplyNested,
  fc.array(hostileString, { maxLength: 30 }),
);

// ——— hostile requests, each a change to the route's well-formed request ———

type Change = { name: string; apply(request: Request): Request };

/** Replaces the value at a random path of the body (or adds a key there) with a hostile value. */
function bodyChanges(operation: Operation): fc.Arbitrary<Change> {
  const swapped = fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), value: hostileValue, addKey: fc.option(hostileString, { nil: undefined }) }).map(
    ({ path, value, addKey }): Change => ({
      name: `body value at ${path.join('.')}${addKey !== undefined ? ` (new key ${JSON.stringify(addKey).slice(0, 40)})` : ''}`,
      apply: (request) => ({ ...request, body: replaceAt(request.body, path, value, addKey) }),
    }),
  );
  const whole = hostileValue.map((value): Change => ({ name: 'body replaced', apply: (request) => ({ ...request, body: value }) }));
  const raw = fc
    .constantFrom(
      '', '{', '}', 'null', '[]', '"text"', '1e999', '{"title":1e999}', '{"a":-1e999}', 'NaN', '{"title":"a","title":{"x":1}}',
      '{"__proto__":{"admin":true},"title":"x"}', '{"constructor":{"prototype":{"admin":true}}}', '\uFEFF{"title":"x"}',
      `{"title":"${'x'.repeat(300 * 1024)}"}`, `[${'['.repeat(50_000)}${']'.repeat(50_000)}]`,
    )
    .map((text): Change => ({ name: `raw body ${JSON.stringify(text.slice(0, 40))}`, apply: (request) => ({ ...request, body: undefined, rawBody: text, headers: { ...request.headers, 'content-type': 'application/json' } }) }));
  const bytes = fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((garbage): Change => ({
      name: 'invalid UTF-8 inside a JSON string',
      apply: (request) => ({
        ...request,
        body: undefined,
        rawBody: Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, ...garbage]), Buffer.from('"}')]),
        headers: { ...request.headers, 'content-type': 'application/json' },
      }),
    }));
  const big = fc.integer({ min: 200 * 1024, max: 1100 * 1024 }).map((size): Change => ({
    name: `a ${Math.round(size / 1024)} KiB string`,
    apply: (request) => ({ ...request, body: replaceAt(request.body ?? {}, [0], 'x'.repeat(size), undefined) }),
  }));
  const contentType = fc
    .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/json; charset=utf-16', 'application/xml', '')
    .map((type): Change => ({ name: `content-type ${JSON.stringify(type)}`, apply: (request) => ({ ...request, headers: { ...request.headers, 'content-type': type } }) }));
  return operation.body ? fc.oneof(swapped, whole, raw, bytes, big, contentType) : fc.oneof(whole, raw, contentType);
}

/** A hostile value, sent raw or encoded, in one of the path parameters (or after the path). */
function pathChanges(operation: Operation, params: Record<string, string>): fc.Arbitrary<Change> {
  const names = pathParams(operation);
  const rawSegments = fc.constantFrom('..', '.', '%2e%2e', '%2e%2e%2f..%2f', '%00', 'a%00b', '%ff', '%c0%af', '%', '%zz', '..;', '%2F', 'a/b', '//', '~', '%u0000');
  const value = fc.oneof(
    hostileString.map((text) => ({ text, encode: true })),
    rawSegments.map((text) => ({ text, encode: false })),
    pastKeyLimits.map((text) => ({ text, encode: true })),
  );
  if (names.length === 0) {
    return fc.record({ suffix: fc.oneof(rawSegments, hostileString.map(percentEncoded)) }).map(({ suffix }): Change => ({
      name: `path + ${JSON.stringify(suffix.slice(0, 40))}`,
      apply: (request) => ({ ...request, path: `${request.path.split('?')[0]}/${suffix}` }),
    }));
  }
  return fc.record({ name: fc.constantFrom(...names), value }).map(({ name, value: { text, encode } }): Change => ({
    name: `{${name}} = ${JSON.stringify(text.slice(0, 40))}${encode ? '' : ' (raw)'}`,
    apply: (request) => ({ ...request, path: pathOf(operation, { ...params, [name]: text }, encode ? percentEncoded : (segment) => segment) }),
  }));
}

function queryChanges(): fc.Arbitrary<Change> {
  const pairs = fc.oneof(
    fc.constantFrom(
      'limit=-1', 'limit=0', 'limit=1e309', 'limit=abc', 'limit=', 'limit=1&limit=5', 'limit=18446744073709551616', 'limit=0x10',
      'cursor=', 'cursor=%ff', 'cursor=bm90LWEtY3Vyc29y', 'cursor=eyJwb3NpdGlvbiI6e319.AAAA', '__proto__[admin]=1', 'constructor=x',
      'limit=%00', '%zz=1',
    ),
    fc.string({ unit: 'binary', maxLength: 30 }).map((text) => `cursor=${percentEncoded(text)}`),
    fc.integer({ min: 4097, max: 9000 }).map((length) => `cursor=${'A'.repeat(length)}`),
    fc.tuple(hostileString, hostileString).map(([key, value]) => `${percentEncoded(key)}=${percentEncoded(value)}`),
  );
  return fc.array(pairs, { minLength: 1, maxLength: 3 }).map((query): Change => ({
    name: `?${query.join('&').slice(0, 60)}`,
    apply: (request) => ({ ...request, path: `${request.path.split('?')[0]}?${query.join('&')}` }),
  }));
}

function headerChanges(operation: Operation): fc.Arbitrary<Change> {
  const printable = fc.oneof(
    fc.constantFrom('', '*', '"1"', '"-1"', '"999999999999999999999"', 'W/"1"', '"1", "2"', 'null', '"abc"', '0x1'),
    fc.string({ minLength: 1, maxLength: 200 }).filter((text) => /^[\x20-\x7e]+$/.test(text)),
    fc.integer({ min: 1000, max: 12_000 }).map((length) => 'h'.repeat(length)),
  );
  const names = ['if-match', 'idempotency-key', 'x-http-method-override', 'x-forwarded-for', 'cookie', 'accept', 'origin', ...(operation.body ? ['content-encoding'] : [])];
  return fc.record({ name: fc.constantFrom(...names), value: printable }).map(({ name, value }): Change => ({
    name: `${name}: ${JSON.stringify(value.slice(0, 40))}`,
    apply: (request) => ({ ...request, headers: { ...request.headers, [name]: value } }),
  }));
}

/** Percent-encoded UTF-8 bytes (a lone surrogate becomes U+FFFD's, where encodeURIComponent throws). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** `value` at `path` (indexes into the keys at each level, wrapping), creating objects on the way. */
function replaceAt(body: unknown, path: number[], value: unknown, addKey: string | undefined): unknown {
  const [step, ...rest] = path;
  if (body === null || typeof body !== 'object') return addKey !== undefined ? { [addKey]: value } : value;
  const copy: Record<string, unknown> = Array.isArray(body) ? ([...body] as unknown as Record<string, unknown>) : { ...body };
  const keys = Object.keys(copy);
  if (rest.length === 0 || keys.length === 0) {
    const key = addKey ?? keys[step! % Math.max(keys.length, 1)] ?? 'field';
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  const key = keys[step! % keys.length]!;
  copy[key] = replaceAt(copy[key], rest, value, addKey);
  return copy;
}

// ——— the property ———

/** The store as last read, shared by a test's runs: whatever one of them changes, the next compares with. */
type StoreWatch = { last: StoreSnapshot | undefined };

/**
 * Sends one hostile request after another and checks each answer. The object under test and the
 * store's snapshot carry over from one request to the next while requests are refused (a refusal
 * changes nothing, so the snapshot after one is the snapshot before the next); an accepted request
 * may have changed or used up the object, so a fresh one is made after it.
 */
class HostileRun {
  private current: { request: Request; params: Record<string, string> } | undefined;
  private readonly writes: boolean;
  private readonly parts: StorePart[];

  constructor(
    private readonly route: (typeof routes)[number],
    private readonly wellFormed: () => Promise<{ request: Request; params: Record<string, string> }>,
    private readonly tally: Tally,
    private readonly watch: StoreWatch,
  ) {
    // Reads never write: their refusals need no snapshot.
    this.writes = route.operation.method !== 'GET';
    this.parts = storePartsOf(route);
  }

  /** The well-formed request the changes apply to (and the object it names, made if needed). */
  async ready(): Promise<{ request: Request; params: Record<string, string> }> {
    if (!this.current) {
      this.current = await this.wellFormed();
      this.watch.last = undefined;
    }
    return this.current;
  }

  async check(change: Change): Promise<void> {
    const { request } = await this.ready();
    const { operation } = this.route;
    if (this.writes) this.watch.last ??= await store.snapshot(this.parts);
    const response: Response = await send(world.url, change.apply(request));
    this.tally.status(response.status);
    const context = `${operation.method} ${operation.path} with ${change.name}`;
    expect(response.status, `${context}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
    if (response.status < 400) {
      this.current = undefined;
      this.watch.last = undefined;
      return;
    }
    expectContractRefusal(response, context);
    if (this.writes) {
      const after = await store.snapshot(this.parts);
      const changes = StoreReader.changes(this.watch.last!, after);
      expect(changes, `${context} (${response.status}) changed the store: ${changes.join('; ')}`).toEqual([]);
      this.watch.last = after;
    }
  }
}

describe.each(routes.map((route) => [`${route.operation.method} ${route.operation.path}`, route] as const))('%s', (_name, route) => {
  const { operation } = route;
  const table = scenarios[operation.operationId] ?? [];

  /** A scenario's well-formed request, as the matrix sends it for the owner (a fresh object each time). */
  const wellFormed = (scenario: (typeof table)[number]) => async (): Promise<{ request: Request; params: Record<string, string> }> => {
    const object = await scenario.object?.(world, 'owner');
    const parts = await scenario.request({ world, caller: 'owner' }, object);
    const params = parts.params ?? {};
    return {
      params,
      request: {
        method: operation.method,
        path: withQuery(pathOf(operation, params), parts.query),
        token: parts.token ?? world.users.owner.accessToken,
        body: parts.body,
        headers: parts.headers,
      },
    };
  };

  const kinds: [string, (params: Record<string, string>) => fc.Arbitrary<Change>][] = [
    ['bodies and content types', () => bodyChanges(operation)],
    ['path parameters', (params) => pathChanges(operation, params)],
    ['query strings', () => queryChanges()],
    ['headers', () => headerChanges(operation)],
  ];

  /**
   * Not left to chance: every path parameter, every field of the body and every `where` condition
   * (equality, a range, both bounds of a between, a prefix) with a value past DynamoDB's key sizes.
   */
  it('holds with every id, field and query value past DynamoDB\'s key sizes', async ({ tally }) => {
    const long = 'k'.repeat(3000);
    for (const scenario of table) {
      const run = new HostileRun(route, wellFormed(scenario), tally, { last: undefined });
      const { request, params } = await run.ready();
      const changes: Change[] = pathParams(operation).map((name) => ({
        name: `{${name}} of 3000 bytes`,
        apply: (request) => ({ ...request, path: pathOf(operation, { ...params, [name]: long }) }),
      }));
      const body = request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : undefined;
      for (const field of Object.keys(body ?? {})) {
        changes.push({ name: `body.${field} of 3000 bytes`, apply: (current) => ({ ...current, body: { ...(current.body as object), [field]: long } }) });
      }
      if (operation.operationId === 'queryDocuments') {
        const collection = params.collection!;
        const fields = ['owner', 'createdAt', 'updatedAt', ...Object.keys(backend.collections[collection]?.fields ?? {})];
        const conditions = [long, { gt: long }, { between: [long.slice(0, 700), `${long.slice(0, 700)}z`] }, { beginsWith: long }];
        for (const field of fields) {
          for (const condition of conditions) {
            // With the index partition it needs (if any), so the condition reaches a key.
            const partition = backend.collections[collection]?.indexes.find((index) => index.sort === field)?.partition;
            const where = { ...(partition ? { [partition]: 'news' } : {}), [field]: condition };
            changes.push({ name: `where ${JSON.stringify(where).slice(0, 60)}`, apply: (current) => ({ ...current, body: { where } }) });
          }
        }
      }
      for (const change of changes) await run.check(change);
    }
  });

  // Each run picks one of the route's scenarios (each collection, each kind of file…).
  it.for(kinds)('holds against hostile %s', async ([, changes], { tally }) => {
    expect(table.length, `${operation.operationId} needs a scenario (test/security/scenarios)`).toBeGreaterThan(0);
    const watch: StoreWatch = { last: undefined };
    const runs = table.map((scenario) => new HostileRun(route, wellFormed(scenario), tally, watch));
    const params: Record<string, string>[] = [];
    for (const run of runs) params.push((await run.ready()).params);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: runs.length - 1 }).chain((which) => changes(params[which]!).map((change) => ({ which, change }))),
        ({ which, change }) => runs[which]!.check(change),
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
  });
});
