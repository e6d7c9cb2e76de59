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

  it('MFA "required", which nobody could sign in with yet', () => {
    expect(problemsOf({ collections: {}, auth: { mfa: 'required' } })[0]).toMatch(/^auth\.mfa: mfa is "off" or "optional"/);
  });

});

describe('functions: each problem names the field and the fix', () => {
  const notes = { notes: { fields: { title: z.string(), pinned: z.boolean().default(false), rank: z.number().optional() } } };
  const onNotes = (on: unknown) => problemsOf({ collections: notes, functions: { audit: { handler: 'functions-user/audit.ts', on } } });

  it('resolves the three ways a function starts, with its defaults', () => {
    const config = defineBackend({
      collections: notes,
      functions: {
        hello: { handler: './functions-user/hello.ts', http: { method: 'GET', path: '/hello/{name}' }, uses: ['documents:read'] },
        audit: { handler: 'functions-user/audit.ts', on: { event: 'documentUpdated', collection: 'notes', where: { pinned: true } } },
        greet: { handler: 'functions-user/greet.ts', on: 'userSignedUp', uses: ['notifications', 'notifications'] },
        nightly: { handler: 'functions-user/nightly.ts', schedule: 'cron(0 3 * * ? *)', timeoutSeconds: 300 },
      },
    });
    expect(config.functions.hello).toEqual({
      name: 'hello',
      handler: 'functions-user/hello.ts',
      trigger: { kind: 'http', method: 'GET', path: '/hello/{name}', auth: 'authenticated' },
      uses: ['documents:read'],
      timeoutSeconds: 10,
      memoryMb: 512,
    });
    expect(config.functions.audit!.trigger).toEqual({ kind: 'event', on: { event: 'documentUpdated', collection: 'notes', where: { pinned: true } } });
    expect(config.functions.greet!.trigger).toEqual({ kind: 'event', on: { event: 'userSignedUp' } });
    expect(config.functions.greet!.uses).toEqual(['notifications']);
    expect(config.functions.nightly).toMatchObject({ trigger: { kind: 'schedule', expression: 'cron(0 3 * * ? *)' }, timeoutSeconds: 300 });
  });

  it('an event on a collection that does not exist', () => {
    expect(onNotes({ event: 'documentCreated', collection: 'note' })).toEqual([
      'functions.audit.on.collection: "note" is not a collection; declare it under collections or use one of: notes',
    ]);
  });

  it('an equality filter on an unknown field, or of the wrong kind', () => {
    expect(onNotes({ event: 'documentCreated', collection: 'notes', where: { titel: 'x' } })).toEqual([
      'functions.audit.on.where.titel: "titel" is not a field of notes; use one of: owner, title, pinned, rank',
    ]);
    expect(onNotes({ event: 'documentCreated', collection: 'notes', where: { pinned: 'yes' } })).toEqual([
      'functions.audit.on.where.pinned: notes.pinned holds a boolean, so a string never equals it',
    ]);
    const fine = { collections: notes, functions: { audit: { handler: 'functions-user/audit.ts', on: { event: 'documentCreated', collection: 'notes', where: { rank: 3, owner: 'u1' } } } } };
    expect(() => defineBackend(fine as Parameters<typeof defineBackend>[0])).not.toThrow();
  });

  it('a geofence event names a collection marked geofences, or any when there is one', () => {
    const zones = { zones: { fields: { name: z.string(), center: point(), radius: z.number() }, geofences: { center: 'center', radius: 'radius' } } };
    const onFences = (on: unknown, collections: object = { ...notes, ...zones }) =>
      problemsOf({ collections, functions: { alert: { handler: 'functions-user/alert.ts', on } } });
    expect(onFences({ event: 'geofenceEntered', collection: 'zone' })).toEqual([
      'functions.alert.on.collection: "zone" is not a collection; declare it under collections with geofences, or use one of: zones',
    ]);
    expect(onFences({ event: 'geofenceExited', collection: 'notes' })).toEqual([
      'functions.alert.on.collection: notes is not a geofence collection; add geofences: { center, radius } or { polygon } to it, or use one of: zones',
    ]);
    expect(onFences('geofenceEntered', notes)).toEqual([
      'functions.alert.on: geofenceEntered needs a geofence collection; mark one with geofences: { center, radius } or { polygon }',
    ]);
    expect(onFences({ event: 'geofenceEntered', collection: 'zones', where: { name: 'x' } })[0]).toMatch(/^functions\.alert\.on: Unrecognized key: "where"/);
    const config = defineBackend({
      collections: { ...notes, ...zones },
      functions: {
        entered: { handler: 'functions-user/entered.ts', on: { event: 'geofenceEntered', collection: 'zones' } },
        exited: { handler: 'functions-user/exited.ts', on: 'geofenceExited' },
      },
    } as Parameters<typeof defineBackend>[0]);
    expect(config.functions.entered!.trigger).toEqual({ kind: 'event', on: { event: 'geofenceEntered', collection: 'zones' } });
    expect(config.functions.exited!.trigger).toEqual({ kind: 'event', on: { event: 'geofenceExited' } });
  });

  it('an unknown event, and a parameter a platform event does not take', () => {
    expect(onNotes('userSignedIn')[0]).toMatch(
      /^functions\.audit\.on\.event: an event: "fileUploaded", "userSignedUp", "geofenceEntered", "geofenceExited", \{ event: "geofenceEntered" \| "geofenceExited", collection \}, or \{ event: "documentCreated"/,
    );
    expect(onNotes({ event: 'userSignedUp', collection: 'notes' })[0]).toMatch(/^functions\.audit\.on: Unrecognized key: "collection"/);
  });

  it('no start, or more than one', () => {
    expect(problemsOf({ collections: {}, functions: { f: { handler: 'functions-user/f.ts' } } })).toEqual([
      'functions.f: say what starts it: http ({ method, path, auth }), on (an event) or schedule ("rate(…)" / "cron(…)")',
    ]);
    expect(problemsOf({ collections: {}, functions: { f: { handler: 'functions-user/f.ts', on: 'userSignedUp', schedule: 'rate(1 hour)' } } })[0]).toBe(
      'functions.f: give exactly one of http, on and schedule (it has on and schedule); declare another function for the other',
    );
  });

  it('an HTTP route with a bad path, an undeclared group, or a timeout API Gateway cuts off', () => {
    const http = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      problemsOf({ collections: {}, functions: { f: { handler: 'functions-user/f.ts', http: { method: 'GET', path: '/f', ...fields }, ...extra } } });
    expect(http({ path: 'stats' })[0]).toMatch(/^functions\.f\.http\.path: a path such as "\/stats"/);
    expect(http({ auth: 'admins' })[0]).toBe('functions.f.http.auth: auth is "public", "authenticated" or "group:<name>"');
    expect(http({ auth: 'group:editors' })).toEqual(['functions.f.http.auth: group "editors" is not declared; add it to auth.groups (or use one of: admin)']);
    expect(http({}, { timeoutSeconds: 60 })[0]).toMatch(/^functions\.f\.timeoutSeconds: an HTTP function must answer within 29 s/);
  });

  it('a handler that is not a .ts file inside the project, and an unknown use', () => {
    const fn = (fields: Record<string, unknown>) => problemsOf({ collections: {}, functions: { f: { handler: 'functions-user/f.ts', on: 'fileUploaded', ...fields } } });
    expect(fn({ handler: '../elsewhere/f.ts' })[0]).toMatch(/^functions\.f\.handler: a \.ts file inside the project/);
    expect(fn({ handler: 'functions-user/f.js' })[0]).toMatch(/^functions\.f\.handler: a \.ts file/);
    expect(fn({ uses: ['database'] })[0]).toMatch(/^functions\.f\.uses\.0: one of "documents", "documents:read", "files", "push", "notifications"/);
  });

  it('the old `trigger` shape, with the way to the new one', () => {
    const problems = problemsOf({ collections: notes, functions: { audit: { handler: 'functions-user/audit.ts', trigger: { type: 'documents', collection: 'notes' } } } });
    expect(problems[0]).toMatch(/^functions\.audit: Unrecognized key: "trigger"/);
  });

  it('a schedule EventBridge Scheduler would refuse at deploy', () => {
    const schedule = (expression: string) => ({ collections: {}, functions: { job: { handler: 'functions-user/x.ts', schedule: expression } } });
    for (const wrong of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 hours)', 'cron(0 9 * * *)', 'cron(0 9 * * 1 *)', 'every day']) {
      expect(problemsOf(schedule(wrong))[0], wrong).toMatch(/^functions\.job\.schedule: a schedule expression/);
    }
    for (const right of ['rate(1 minute)', 'rate(15 minutes)', 'rate(2 days)', 'cron(0 9 * * ? *)', 'cron(0/5 8-17 ? * MON-FRI *)']) {
      expect(() => defineBackend(schedule(right) as Parameters<typeof defineBackend>[0]), right).not.toThrow();
    }
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
