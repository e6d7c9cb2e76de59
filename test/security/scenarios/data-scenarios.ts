/**
 * The document routes in the authorization matrix, one scenario per collection of
 * lambase.config.ts, each expectation worked out from the collection's access rules with the
 * contract's words (docs/api/documents.md) — written here again, independently of
 * functions/core/config/access-rules.ts, so a mistake there cannot hide in the test:
 *
 * - public: everyone; authenticated: any signed-in caller; owner: the document's owner (for create:
 *   anyone signed in, who becomes the owner); group:<g>: members of g; admins: everything.
 * - anonymous on an action that is not public → 401; a document the caller may not read → 404
 *   (no existence leak); one it may read but not change → 403; a create it may not do → 403.
 * - lists and queries leave out what the caller may not read.
 */
import { expect } from 'vitest';
import backend from '../../../lambase.config.js';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';
import type { Response } from '../harness/http.js';
import { readDocument, seedDocument } from '../harness/table.js';
import { CALLERS, MEMBER_GROUP, type CallerKind, type SignedInCaller, type World } from '../harness/world.js';
import type { FeatureScenarios, ObjectUnderTest, RouteScenario, ScenarioContext } from './scenario-types.js';
import { sampleFields } from './sample-documents.js';

type Action = 'read' | 'create' | 'update' | 'delete';

/** Who each caller is, as the rules see it: whether it owns the object under test, its groups. */
const IDENTITIES: Record<SignedInCaller, { owns: boolean; groups: readonly string[] }> = {
  owner: { owns: true, groups: [] },
  other: { owns: false, groups: [] },
  member: { owns: false, groups: [MEMBER_GROUP] },
  admin: { owns: false, groups: [backend.auth.adminGroup] },
};

/** The contract's access rules: may `caller` do `action` on a document (owned by `owner` when it owns one)? */
export function allows(collection: ResolvedCollection, action: Action, caller: CallerKind): boolean {
  const rules: readonly string[] = collection.access[action];
  if (rules.includes('public')) return true;
  if (caller === 'anonymous') return false;
  const { owns, groups } = IDENTITIES[caller];
  if (groups.includes(backend.auth.adminGroup) || rules.includes('authenticated')) return true;
  if (rules.some((rule) => rule.startsWith('group:') && groups.includes(rule.slice('group:'.length)))) return true;
  return rules.includes('owner') && (owns || action === 'create');
}

const anonymousRefused = (collection: ResolvedCollection, action: Action, caller: CallerKind) =>
  caller === 'anonymous' && !collection.access[action].includes('public');

const perCaller = (status: (caller: CallerKind) => number) => Object.fromEntries(CALLERS.map((caller) => [caller, status(caller)])) as Record<CallerKind, number>;

/** The status of a write (`update` or `delete`) on the owner's document. */
function writeStatus(collection: ResolvedCollection, action: 'update' | 'delete', caller: CallerKind, success: number): number {
  if (anonymousRefused(collection, action, caller)) return 401;
  if (!allows(collection, 'read', caller)) return 404;
  return allows(collection, action, caller) ? success : 403;
}

const userId = (world: World, caller: CallerKind) => (caller === 'anonymous' ? undefined : world.users[caller].userId);

/** A fresh document of `owner`'s in `collection`, written straight to the table (whatever the create rule). */
const documentOf = (collection: ResolvedCollection) => async (world: World, owner: SignedInCaller): Promise<ObjectUnderTest> => {
  const tag = `sec-${collection.name}-${owner}-${Date.now().toString(36)}`;
  const fields = sampleFields(collection, tag);
  const id = await seedDocument(world, collection, world.users[owner].userId, fields);
  return { params: { collection: collection.name, id }, ownerId: world.users[owner].userId, fields };
};

/** A refused write left the document exactly as it was; an allowed one changed or removed it. */
const documentAfterWrite = (collection: ResolvedCollection, action: 'update' | 'delete') =>
  async ({ world }: ScenarioContext, object: ObjectUnderTest | undefined, response: Response) => {
    const item = await readDocument(world, collection.name, object!.params.id!);
    if (response.status >= 400) {
      expect(item, 'a refused write left the document in place').toMatchObject({ version: 1, owner: object!.ownerId, data: object!.fields });
    } else if (action === 'delete') {
      expect(item, 'a delete removed the document').toBeUndefined();
    } else {
      expect(item, 'an update moved the version on, and kept the owner').toMatchObject({ version: 2, owner: object!.ownerId });
    }
  };

/** Whether a page answer holds the document under test. */
const pageHolds = (response: Response, id: string) => ((response.json as { items?: { id: string }[] })?.items ?? []).some((item) => item.id === id);

/** How a query of `collection` is served for `caller`, following the contract's query rules. */
function queryPlan(collection: ResolvedCollection): 'index' | 'own' | 'where-owner' {
  if (collection.indexes.length > 0) return 'index';
  const read: readonly string[] = collection.access.read;
  return read.length === 1 && read[0] === 'owner' ? 'own' : 'where-owner';
}

function collectionScenarios(collection: ResolvedCollection): Record<string, RouteScenario> {
  const object = documentOf(collection);
  const name = collection.name;
  const plan = queryPlan(collection);
  const index = collection.indexes[0];
  const fieldsTag = (caller: CallerKind) => sampleFields(collection, `sec-${name}-by-${caller}`);
  const update: RouteScenario = {
    name,
    object,
    request: ({ caller }, document) => ({ params: document!.params, body: fieldsTag(caller) }),
    expect: perCaller((caller) => writeStatus(collection, 'update', caller, 200)),
    verify: documentAfterWrite(collection, 'update'),
    ownedParams: ['id'],
    withField: (body, field, value) => ({ ...(body as object), [field]: value }),
  };
  return {
    createDocument: {
      name,
      request: ({ caller }) => ({ params: { collection: name }, body: fieldsTag(caller) }),
      expect: perCaller((caller) => (anonymousRefused(collection, 'create', caller) ? 401 : allows(collection, 'create', caller) ? 201 : 403)),
      verify: ({ world, caller }, _object, response) => {
        if (response.status === 201) expect(response.json).toMatchObject({ owner: userId(world, caller) ?? expect.any(String), version: 1 });
      },
      withField: (body, field, value) => ({ ...(body as object), [field]: value }),
    },
    getDocument: {
      name,
      object,
      request: (_context, document) => ({ params: document!.params }),
      expect: perCaller((caller) => (anonymousRefused(collection, 'read', caller) ? 401 : allows(collection, 'read', caller) ? 200 : 404)),
      ownedParams: ['id'],
    },
    listDocuments: {
      name,
      object,
      request: () => ({ params: { collection: name }, query: { limit: '100' } }),
      expect: perCaller((caller) => (anonymousRefused(collection, 'read', caller) ? 401 : 200)),
      verify: ({ caller }, document, response) => {
        if (response.status === 200) expect(pageHolds(response, document!.params.id!), 'the list shows exactly what the caller may read').toBe(allows(collection, 'read', caller));
      },
    },
    queryDocuments: {
      name: `${name} (${plan === 'index' ? `index ${index!.name}` : plan === 'own' ? 'the caller\'s own' : 'where.owner = the caller'})`,
      object,
      request: ({ world, caller }, document) => ({
        params: { collection: name },
        body:
          plan === 'index'
            ? { where: { [index!.partition]: (document!.fields as Record<string, unknown>)[index!.partition] }, limit: 100 }
            : plan === 'own'
              ? { limit: 100 }
              : { where: { owner: userId(world, caller) ?? document!.ownerId }, limit: 100 },
      }),
      expect: perCaller((caller) => {
        // An anonymous caller naming the owner (where.owner) of a collection it may read gets that owner's documents.
        return anonymousRefused(collection, 'read', caller) ? 401 : 200;
      }),
      verify: ({ caller }, document, response) => {
        if (response.status !== 200) return;
        // An admin's query with no condition at all reads like the list (every document); any
        // condition scopes it to the admin's own, like everyone's (functions/core/documents/query-plan.ts).
        const inScope = plan === 'index' || caller === 'owner' || (plan === 'own' && caller === 'admin') || (plan === 'where-owner' && caller === 'anonymous');
        expect(pageHolds(response, document!.params.id!), 'the query shows what the caller may read, in its scope').toBe(inScope && allows(collection, 'read', caller));
      },
      withField: (body, field, value) => ({ ...(body as object), [field]: value }),
    },
    updateDocument: update,
    // PUT replaces what PATCH updates: the same rule, the same answers.
    replaceDocument: update,
    deleteDocument: {
      name,
      object,
      request: (_context, document) => ({ params: document!.params }),
      expect: perCaller((caller) => writeStatus(collection, 'delete', caller, 204)),
      verify: documentAfterWrite(collection, 'delete'),
      ownedParams: ['id'],
    },
  };
}

/**
 * `POST /data/_batch`: an update of the owner's document, all or nothing (409 with the refused
 * operation). A collection of geofences is written one document at a time, never in a batch: its
 * operation is refused (ValidationFailed) whoever sends it.
 */
function batchScenario(collection: ResolvedCollection): RouteScenario {
  const fenced = collection.geofences !== undefined;
  return {
    name: `update a ${collection.name} document`,
    object: documentOf(collection),
    request: ({ caller }, document) => ({
      body: { operations: [{ op: 'update', collection: collection.name, id: document!.params.id, data: sampleFields(collection, `sec-batch-${caller}`) }] },
    }),
    expect: perCaller((caller) => {
      if (caller === 'anonymous') return 401;
      return !fenced && writeStatus(collection, 'update', caller, 200) === 200 ? 200 : 409;
    }),
    verify: async (context, document, response) => {
      if (response.status === 409) {
        const refusal = fenced ? 'ValidationFailed' : allows(collection, 'read', context.caller) ? 'Forbidden' : 'NotFound';
        expect(response.json).toMatchObject({ error: { code: 'TransactionCanceled', details: [{ index: 0, code: refusal }] } });
      }
      await documentAfterWrite(collection, 'update')(context, document, response);
    },
    withField: (body, field, value) => {
      const { operations } = body as { operations: { data: object }[] };
      return { operations: operations.map((operation) => ({ ...operation, data: { ...operation.data, [field]: value } })) };
    },
    fieldRefusal: { status: 409, code: 'TransactionCanceled', detailCode: 'ValidationFailed' },
  };
}

const collections = Object.values(backend.collections);
const byOperation = collections.map(collectionScenarios);

export const dataScenarios: FeatureScenarios = {
  ...Object.fromEntries(Object.keys(byOperation[0] ?? {}).map((operationId) => [operationId, byOperation.map((scenarios) => scenarios[operationId]!)])),
  batchDocuments: collections.map(batchScenario),
};
