import { describe, expect, it } from 'vitest';
import { RouteMatcher } from '../../../local/gateway/route-matcher.js';
import { TokenBucket } from '../../../local/gateway/token-bucket.js';
import { buildHttpApiEvent, stringifyClaims } from '../../../local/gateway/http-api-event.js';
import { matchesAny } from '../../../local/events/event-filter.js';
import { nextDelay, scheduleInput } from '../../../local/events/scheduler.js';
import { streamFilters } from '../../../functions/core/events/table-events.js';

describe('route matching like API Gateway', () => {
  const matcher = new RouteMatcher(
    [
      { method: 'POST', path: '/data/{collection}', target: 'create' },
      { method: 'POST', path: '/data/_batch', target: 'batch' },
      { method: 'GET', path: '/data/{collection}/{id}', target: 'get' },
      { method: 'POST', path: '/data/{collection}/query', target: 'query' },
      { method: 'GET', path: '/files/{key+}', target: 'proxy' },
    ],
    'default',
  );

  it('prefers literal segments over parameters', () => {
    expect(matcher.match('POST', '/data/_batch')).toEqual({ target: 'batch', routeKey: 'POST /data/_batch', pathParameters: {} });
    expect(matcher.match('POST', '/data/notes')).toMatchObject({ target: 'create', pathParameters: { collection: 'notes' } });
    expect(matcher.match('POST', '/data/notes/query')).toMatchObject({ target: 'query' });
  });

  it('decodes parameters, supports greedy ones and falls back to $default', () => {
    expect(matcher.match('GET', '/data/notes/a%20b')).toMatchObject({ target: 'get', pathParameters: { collection: 'notes', id: 'a b' } });
    expect(matcher.match('GET', '/files/a/b/c')).toMatchObject({ pathParameters: { key: 'a/b/c' } });
    expect(matcher.match('DELETE', '/data/notes')).toEqual({ target: 'default', routeKey: '$default', pathParameters: {} });
  });
});

describe('throttling', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100; // 0.1 s at 10/s → one token
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });
});

describe('payload v2.0 events', () => {
  it('carries what API Gateway sends', () => {
    const event = buildHttpApiEvent({
      method: 'post',
      path: '/data/notes',
      rawQueryString: 'a=1&a=2&b=x',
      headers: { 'Content-Type': 'application/json', Cookie: 'a=1; b=2', 'X-Multi': ['1', '2'] },
      body: '{"title":"x"}',
      routeKey: 'POST /data/{collection}',
      pathParameters: { collection: 'notes' },
      claims: { sub: 'u1', 'cognito:groups': ['admin', 'editors'], exp: 1700000000 },
      scopes: ['aws.cognito.signin.user.admin'],
      requestId: 'rid',
      now: new Date('2026-11-23T20:32:12.000Z'),
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /data/{collection}',
      rawPath: '/data/notes',
      rawQueryString: 'a=1&a=2&b=x',
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'x-multi': '1,2' },
      queryStringParameters: { a: '1,2', b: 'x' },
      pathParameters: { collection: 'notes' },
      body: '{"title":"x"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/data/notes', protocol: 'HTTP/1.1' },
        requestId: 'rid',
        stage: '$default',
        time: '23/Nov/2026:20:32:12 +0000',
        timeEpoch: Date.parse('2026-11-23T20:32:12.000Z'),
        authorizer: { jwt: { claims: { sub: 'u1', 'cognito:groups': '[admin editors]', exp: '1700000000' }, scopes: ['aws.cognito.signin.user.admin'] } },
      },
    });
  });

  it('base64-encodes binary bodies and has no authorizer on public routes', () => {
    const event = buildHttpApiEvent({ method: 'POST', path: '/x', routeKey: '$default', headers: { 'content-type': 'image/png' }, body: Buffer.from([0, 255]) });
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe('AP8=');
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(stringifyClaims({ a: [1, 2] })).toEqual({ a: '[1 2]' });
  });
});

describe('the event dispatcher\'s stream filters, as local mode applies them', () => {
  const patterns = streamFilters([
    { event: 'documentCreated', collection: 'posts' },
    { event: 'documentDeleted', collection: 'posts' },
    { event: 'userSignedUp' },
  ]) as never[];
  const record = (eventName: string, image: 'NewImage' | 'OldImage', collection: string) => ({
    eventName,
    dynamodb: { [image]: { entity: { S: 'document' }, collection: { S: collection } } },
  });

  it('select the collection\'s inserts and removals and new profiles only', () => {
    expect(matchesAny(record('INSERT', 'NewImage', 'posts'), patterns)).toBe(true);
    expect(matchesAny(record('REMOVE', 'OldImage', 'posts'), patterns)).toBe(true);
    expect(matchesAny(record('MODIFY', 'NewImage', 'posts'), patterns)).toBe(false);
    expect(matchesAny(record('INSERT', 'NewImage', 'notes'), patterns)).toBe(false);
    expect(matchesAny({ eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'profile' } } } }, patterns)).toBe(true);
    expect(matchesAny({ eventName: 'MODIFY', dynamodb: { NewImage: { entity: { S: 'profile' } } } }, patterns)).toBe(false);
  });

  it('let a file through only when it turns ready', () => {
    const files = streamFilters([{ event: 'fileUploaded' }]) as never[];
    const change = (before: string, after: string) => ({
      eventName: 'MODIFY',
      dynamodb: { OldImage: { entity: { S: 'file' }, status: { S: before } }, NewImage: { entity: { S: 'file' }, status: { S: after } } },
    });
    expect(matchesAny(change('pending', 'ready'), files)).toBe(true);
    expect(matchesAny(change('pending', 'rejected'), files)).toBe(false);
    expect(matchesAny(change('ready', 'deleting'), files)).toBe(false);
  });
});

describe('schedules', () => {
  it('compute the next run of rate and cron expressions', () => {
    const from = new Date('2026-11-23T20:32:12.000Z');
    expect(nextDelay('rate(5 minutes)', from)).toBe(300_000);
    expect(nextDelay('rate(1 day)', from)).toBe(86_400_000);
    expect(nextDelay('cron(0 21 * * ? *)', from)).toBe(Date.parse('2026-11-23T21:00:00.000Z') - from.getTime());
    expect(() => nextDelay('every minute', from)).toThrow(/Not a schedule expression/);
  });

  it('send what the cloud\'s schedule sends: its name and the time, in whole seconds (to the millisecond on demand)', () => {
    const at = new Date('2026-11-23T20:32:12.345Z');
    expect(scheduleInput('nightly', at)).toEqual({ type: 'scheduled', schedule: 'nightly', scheduledAt: '2026-11-23T20:32:12Z' });
    expect(scheduleInput('nightly', at, true).scheduledAt).toBe('2026-11-23T20:32:12.345Z');
  });
});
