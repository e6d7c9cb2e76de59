import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import backend from '../../../lambase.config.js';
import { BackendConfigError, defineBackend, point, polygon } from '../../../functions/core/config/define-backend.js';

function problemsOf(input: unknown): string[] {
  try {
    defineBackend(input as Parameters<typeof defineBackend>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(BackendConfigError);
    return (error as BackendConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('lambase.config.ts (the example backend)', () => {
  it('declares notes, posts and sessions as docs/api/documents.md describes', () => {
    expect(Object.keys(backend.collections)).toEqual(['notes', 'posts', 'sessions', 'places', 'zones']);
    expect(backend.collections.notes!.access).toEqual({ read: ['owner'], create: ['owner'], update: ['owner'], delete: ['owner'] });
    expect(backend.collections.posts!.access.read).toEqual(['public']);
    expect(backend.collections.posts!.access.create).toEqual(['authenticated']);
    expect(backend.collections.posts!.indexes).toEqual([{ name: 'byCategory', partition: 'category', sort: 'createdAt', slot: 1 }]);
    expect(backend.collections.sessions!.ttl).toBe('expiresAt');
    expect(backend.storage.maxFileSize).toBe(10 * 1024 * 1024);
    expect(backend.auth.adminGroup).toBe('admin');
    expect(Object.keys(backend.push).filter((key) => key !== 'topics').sort()).toEqual(['apns', 'apnsSandbox', 'fcm']);
  });

  it('defaults every action to owner', () => {
    const config = defineBackend({ collections: { things: { fields: { name: z.string() } } } });
    expect(config.collections.things!.access.update).toEqual(['owner']);
  });
});

describe('a wrong config names the field and the fix', () => {
  it('an unknown access rule', () => {
    const problems = problemsOf({ collections: { posts: { fields: { title: z.string() }, access: { read: 'everyone' } } } });
    expect(problems).toEqual([expect.stringContaining('collections.posts.access.read: unknown access rule "everyone"')]);
    expect(problems[0]).toContain('"group:<name>"');
  });

  it('an index on a field that does not exist', () => {
    const problems = problemsOf({
      collections: { posts: { fields: { title: z.string(), category: z.string() }, indexes: { byCategory: { partition: 'categroy' } } } },
    });
    expect(problems).toEqual([expect.stringMatching(/^collections\.posts\.indexes\.byCategory\.partition: "categroy" is not a field of posts.*title, category/)]);
  });

  it('an index sort on a field that does not exist, and a non-scalar partition', () => {
    const problems = problemsOf({
      collections: { posts: { fields: { tags: z.array(z.string()) }, indexes: { byTag: { partition: 'tags', sort: 'rank' } } } },
    });
    expect(problems).toContain('collections.posts.indexes.byTag.partition: "tags" must be a string or number field to be an index key');
    expect(problems.some((problem) => problem.startsWith('collections.posts.indexes.byTag.sort: "rank" is not a field'))).toBe(true);
  });

  it('a TTL field that is missing or not a date-time', () => {
    expect(problemsOf({ collections: { s: { fields: { a: z.string() }, ttl: 'expiresAt' } } })[0]).toMatch(/^collections\.s\.ttl: "expiresAt" is not a field/);
    expect(problemsOf({ collections: { s: { fields: { a: z.string() }, ttl: 'a' } } })[0]).toContain('must be an ISO date-time field');
  });

  it('a field that shadows a server-set field', () => {
    expect(problemsOf({ collections: { s: { fields: { owner: z.string() } } } })).toEqual([
      'collections.s.fields.owner: "owner" is set by the server; rename the field',
    ]);
  });

  it('a field that is not a zod schema', () => {
    expect(problemsOf({ collections: { s: { fields: { title: 'string' } } } })[0]).toMatch(/collections\.s\.fields\.title: must be a zod schema/);
  });

  it('a push credential written inline instead of referenced', () => {
    const problems = problemsOf({ collections: {}, push: { fcm: { secretName: '{"type": "service_account"}' } } });
    expect(problems[0]).toMatch(/^push\.fcm\.secretName: a Secrets Manager secret name, not the secret itself/);
    expect(problemsOf({ collections: {}, push: { apns: { secretName: 'x', privateKey: 'abc' } } })[0]).toMatch(/^push\.apns/);
  });

  it('an unknown top-level key and a bad collection name', () => {
    expect(problemsOf({ collections: {}, colections: {} })[0]).toContain('colections');
    expect(problemsOf({ collections: { Notes: { fields: {} } } })[0]).toMatch(/^collections\.Notes: collection names are lower-case/);
  });

  it('a custom function triggered by a collection that does not exist', () => {
    const problems = problemsOf({
      collections: { notes: { fields: {} } },
      functions: { audit: { handler: 'functions/custom/audit.ts', trigger: { type: 'documents', collection: 'note' } } },
    });
    expect(problems).toEqual([expect.stringContaining('functions.audit.trigger.collection: "note" is not a collection')]);
  });

  it('MFA "required", which nobody could sign in with yet', () => {
    expect(problemsOf({ collections: {}, auth: { mfa: 'required' } })[0]).toMatch(/^auth\.mfa: mfa is "off" or "optional"/);
  });

  it('a schedule EventBridge would refuse at deploy', () => {
    const schedule = (expression: string) => ({ collections: {}, functions: { job: { handler: 'functions/x.ts', trigger: { type: 'schedule', expression } } } });
    for (const wrong of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 hours)', 'cron(0 9 * * *)', 'cron(0 9 * * 1 *)', 'every day']) {
      expect(problemsOf(schedule(wrong))[0], wrong).toMatch(/^functions\.job\.trigger\.expression: an EventBridge expression/);
    }
    for (const right of ['rate(1 minute)', 'rate(15 minutes)', 'rate(2 days)', 'cron(0 9 * * ? *)', 'cron(0/5 8-17 ? * MON-FRI *)']) {
      expect(() => defineBackend(schedule(right) as Parameters<typeof defineBackend>[0]), right).not.toThrow();
    }
  });

  it('more document triggers than the stream serves', () => {
    const trigger = { handler: 'functions/x.ts', trigger: { type: 'documents', collection: 'notes' } };
    const problems = problemsOf({ collections: { notes: { fields: {} } }, functions: { a: trigger, b: trigger, c: trigger } });
    expect(problems).toEqual([expect.stringContaining('functions: a, b, c all read the table\'s stream, which serves at most 2 readers')]);
  });
});

describe('geo in the config', () => {
  it('the example backend has places with two geo indexes in their own slots, and zones as circular fences', () => {
    expect(backend.collections.places!.geoIndexes).toEqual([
      { name: 'nearby', field: 'location', partition: 'category', slot: 1 },
      { name: 'anywhere', field: 'location', partition: undefined, slot: 2 },
    ]);
    expect(backend.collections.zones!.geofences).toEqual({ kind: 'circle', center: 'center', radius: 'radiusMeters' });
  });

  it('a point is { lat, lng } within range, nothing else', () => {
    expect(point().safeParse({ lat: 90, lng: -180 }).success).toBe(true);
    for (const bad of [{ lat: 90.1, lng: 0 }, { lat: 0, lng: 181 }, { lat: 0 }, { lat: 0, lng: 0, alt: 3 }, [0, 0]]) {
      expect(point().safeParse(bad).success).toBe(false);
    }
  });

  it('a geo index on a field that is not a point, and a partition that is not a scalar field', () => {
    const problems = problemsOf({
      collections: { shops: { fields: { where: z.string(), tags: z.array(z.string()) }, indexes: { near: { geo: 'where', partition: 'tags' } } } },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^collections\.shops\.indexes\.near\.geo: "where" is not a point field; declare it as where: point\(\)/),
      expect.stringMatching(/^collections\.shops\.indexes\.near\.partition: "tags" must be a string or number field/),
    ]);
  });

  it('distanceMeters declared as a field', () => {
    expect(problemsOf({ collections: { shops: { fields: { distanceMeters: z.number() } } } })).toEqual([
      expect.stringMatching(/^collections\.shops\.fields\.distanceMeters: "distanceMeters" is set by the server; rename the field/),
    ]);
  });

  it('geofences whose fields are missing, of the wrong kind or optional', () => {
    expect(problemsOf({ collections: { zones: { fields: { center: z.string(), r: point().optional() }, geofences: { center: 'center', radius: 'r' } } } })).toEqual([
      expect.stringMatching(/geofences: "center" must be a point field: center: point\(\)/),
      expect.stringMatching(/geofences: "r" must be a number field/),
    ]);
    expect(problemsOf({ collections: { areas: { fields: { area: polygon().optional() }, geofences: { polygon: 'area' } } } })).toEqual([
      expect.stringMatching(/geofences: "area" must be required/),
    ]);
    expect(defineBackend({ collections: { areas: { fields: { area: polygon() }, geofences: { polygon: 'area' } } } }).collections.areas!.geofences).toEqual({ kind: 'polygon', polygon: 'area' });
  });
});
