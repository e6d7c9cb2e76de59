/**
 * The point a collection field declares (`point()`, full zod, in the config) and the one function
 * code validates with (zod/mini) are one definition: same bounds, same messages.
 */
import { describe, expect, it } from 'vitest';
import { differenceBetween } from '../../../build/compile-config.js';
import { point } from '../../../functions/core/geo/geo-fields.js';
import { pointSchema } from '../../../functions/core/geo/point-schema.js';

describe('the point schema', () => {
  it('is the same definition in the config (full zod) and in function code (zod/mini)', () => {
    expect(differenceBetween(point(), pointSchema, '')).toBeUndefined();
  });

  it('would notice a bound that drifts', () => {
    const drifted = point().extend({ lat: point().shape.lat.max(89) });
    expect(differenceBetween(drifted, pointSchema, '')).toBeDefined();
  });
});
