/**
 * The storage functions' own S3 requests (functions/adapters/s3-requests.ts): the addresses they
 * sign for in the cloud and locally, and S3's throttling and server errors retried as the SDK
 * would, then reported by S3's own error code. (Their signatures are checked by the S3 emulator's
 * SigV4 and POST-policy checks in the integration tests.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3RequestError, S3Requests } from '../../../functions/adapters/s3-requests.js';

afterEach(() => vi.unstubAllEnvs());

const credentials = () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  vi.stubEnv('AWS_ENDPOINT_URL', '');
};

describe('S3 requests', () => {
  it("address the bucket's virtual host in its region (China's suffix in China), or a local endpoint with the bucket in the path", () => {
    credentials();
    vi.stubEnv('AWS_ENDPOINT_URL_S3', '');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    expect(new S3Requests('my-bucket').url('files/u 1/é').href).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com/files/u%201/%C3%A9');
    vi.stubEnv('AWS_REGION', 'cn-north-1');
    expect(new S3Requests('my-bucket').url().href).toBe('https://my-bucket.s3.cn-north-1.amazonaws.com.cn/');
    vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:9000');
    expect(new S3Requests('my-bucket').url('files/a').href).toBe('http://127.0.0.1:9000/my-bucket/files/a');
  });

  it('retry SlowDown and 5xx answers, and report what S3 said when it keeps refusing', async () => {
    const answers = [503, 500, 200, 503, 503, 503, 403];
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization?.startsWith('AWS4-HMAC-SHA256') ? 'signed' : 'unsigned'}`);
      const status = answers.shift()!;
      response.writeHead(status, { 'content-type': 'application/xml' });
      response.end(status === 200 ? '' : `<Error><Code>${status === 403 ? 'AccessDenied' : 'SlowDown'}</Code><Message>Please reduce your request rate.</Message></Error>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      credentials();
      vi.stubEnv('AWS_REGION', 'us-east-1');
      vi.stubEnv('AWS_ENDPOINT_URL_S3', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const s3 = new S3Requests('bucket');
      expect((await s3.send({ method: 'HEAD', key: 'files/a' })).status).toBe(200);
      await expect(s3.send({ method: 'HEAD', key: 'files/a' })).rejects.toMatchObject({ name: 'SlowDown', status: 503 });
      const refused = await s3.send({ method: 'DELETE', key: 'files/b' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(S3RequestError);
      expect(refused).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(seen).toEqual([...Array(6).fill('HEAD /bucket/files/a signed'), 'DELETE /bucket/files/b signed']);
    } finally {
      server.close();
    }
  });
});
