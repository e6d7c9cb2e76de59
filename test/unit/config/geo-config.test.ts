/** Geo fields, geo indexes and geofences in the config: what is accepted, and each mistake named with its fix. */
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
