import { describe, expect, it } from 'vitest';
import { decodeS3EventKey } from '../../../functions/core/storage/s3-event-key.js';

describe('decodeS3EventKey', () => {
  it.each([
    ['files/u1/f1', 'files/u1/f1'],
    ['files/u1/my+photo.jpg', 'files/u1/my photo.jpg'],
    ['files/u1/a%2Bb.txt', 'files/u1/a+b.txt'],
    ['files/u1/caf%C3%A9+%26+cr%C3%AApe', 'files/u1/café & crêpe'],
  ])('reads %j as %j', (encoded, key) => {
    expect(decodeS3EventKey(encoded)).toBe(key);
  });
});
