/** Where the client finds its backend: a URL, or the outputs file a deploy writes. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { fakeFetch, json } from '../fakes/fake-fetch.js';

describe('createClient', () => {
  it('calls the API the outputs name, and the URL it is given without a trailing slash', async () => {
    const fake = fakeFetch(() => json(200, { items: [], nextCursor: null }));
    const outputs = { version: 1, stage: 'dev', apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/', region: 'eu-west-1' };
    await createClient({ outputs, fetch: fake.fetch }).collection('posts').list();
    await createClient({ url: 'http://127.0.0.1:4000//', fetch: fake.fetch }).collection('posts').list();
    expect(fake.calls.map((call) => call.url)).toEqual(['https://abc.execute-api.eu-west-1.amazonaws.com/data/posts', 'http://127.0.0.1:4000/data/posts']);
  });

  it('refuses outputs of another version, and a missing or non-HTTP URL, naming the fix', () => {
    expect(() => createClient({ outputs: { version: 2, apiUrl: 'https://x.example.com' } })).toThrow(/version 2.*update @lambase\/client/);
    expect(() => createClient({})).toThrow(/needs \{ url/);
    expect(() => createClient({ url: 'ftp://x' })).toThrow(/needs \{ url/);
  });
});
