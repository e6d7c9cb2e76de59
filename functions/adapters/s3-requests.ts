/**
 * The few S3 requests Lambase makes, signed with SigV4 (@smithy/signature-v4, the SDK's own signer)
 * and sent over node:https: HEAD and DeleteObjects, presigned GETs and presigned POST forms.
 *
 * Why not @aws-sdk/client-s3: for these four calls it put ~150 KB into each storage function's
 * bundle (the whole S3 endpoint ruleset, the XML protocol, event streams, five checksum
 * algorithms), a third of the bundle and of its cold start; DELETE /me went over 400 KB with it.
 *
 * Where: `AWS_ENDPOINT_URL_S3` (local mode, tests) with the bucket in the path, else the bucket's
 * virtual-hosted address in the function's region (`<bucket>.s3.<region>.amazonaws.com`, `.com.cn`
 * in China). Credentials and region come from the environment Lambda sets. Throttling (503 SlowDown)
 * and 5xx answers are retried twice with backoff, as the SDK's standard retry does.
 *
 * @example
 * const s3 = new S3Requests('my-bucket');
 * const head = await s3.send({ method: 'HEAD', key: 'files/u/f' }); // { status: 200, headers, body: '' }
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';

/** A failed S3 request: `name` is S3's error code (`SlowDown`, `AccessDenied`…), or `Http<status>`. */
export class S3RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`S3 ${code} (HTTP ${status}): ${message}`);
    this.name = code;
  }
}

export type S3Request = { method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE'; key?: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string };
export type S3Response = { status: number; headers: http.IncomingHttpHeaders; body: string };

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const RETRIES = 2;
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) => (typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));

/** SHA-256 and HMAC-SHA-256 over node:crypto, in the shape the signer asks for. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function environmentCredentials(): Credentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('S3 requests need AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them).');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function region(): string {
  const value = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!value) throw new Error('S3 requests need AWS_REGION (Lambda sets it).');
  return value;
}

/** S3's path encoding: every byte but unreserved characters, segment by segment. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

const encodeQuery = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([name, value]) => `${encodeKey(name)}=${encodeKey(value)}`.replace(/\//g, '%2F'))
    .join('&');

export class S3Requests {
  private readonly signer = new SignatureV4({ service: 's3', region: async () => region(), credentials: async () => environmentCredentials(), sha256: Sha256, uriEscapePath: false, applyChecksum: true });

  constructor(private readonly bucket: string) {}

  /** The bucket's address, or an object's in it. */
  url(key = ''): URL {
    const custom = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    if (custom) return new URL(`${this.bucket}${key ? `/${encodeKey(key)}` : ''}`, custom.endsWith('/') ? custom : `${custom}/`);
    const suffix = region().startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return new URL(`https://${this.bucket}.s3.${region()}.${suffix}/${encodeKey(key)}`);
  }

  /** Sends a signed request; rejects with S3RequestError on an answer of 300 or more (after retries for 5xx). */
  async send(request: S3Request): Promise<S3Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.sendOnce(request);
        if (response.status < 300) return response;
        throw errorFrom(response);
      } catch (error) {
        const retryable = !(error instanceof S3RequestError) || error.status >= 500;
        if (!retryable || attempt >= RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }

  /** A presigned GET of `key`, with `query` (response-content-type…) signed into it. */
  async presignGet(key: string, query: Record<string, string>, expiresInSeconds: number): Promise<string> {
    const url = this.url(key);
    const presigned = await this.signer.presign(
      { ...requestParts(url), method: 'GET', query, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { expiresIn: expiresInSeconds, unsignableHeaders: new Set(['content-type']) },
    );
    return `${url.origin}${url.pathname}?${encodeQuery(presigned.query as Record<string, string>)}`;
  }

  /**
   * A presigned POST form for `key`: `conditions` (and every field) go into the policy S3 checks
   * before it stores anything. The signing is createPresignedPost's (@aws-sdk/s3-presigned-post).
   */
  presignPost(key: string, input: { fields: Record<string, string>; conditions: unknown[]; expiresInSeconds: number }): { url: string; fields: Record<string, string> } {
    const credentials = environmentCredentials();
    const now = new Date();
    const longDate = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
    const shortDate = longDate.slice(0, 8);
    const fields: Record<string, string> = {
      ...input.fields,
      bucket: this.bucket,
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${credentials.accessKeyId}/${shortDate}/${region()}/s3/aws4_request`,
      'X-Amz-Date': longDate,
      ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    };
    const conditions = [...new Set([...input.conditions, ...Object.entries(fields).map(([name, value]) => ({ [name]: value })), { key }].map((condition) => JSON.stringify(condition)))].map(
      (condition) => JSON.parse(condition) as unknown,
    );
    const expiration = new Date(now.valueOf() + input.expiresInSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const policy = Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
    const signingKey = deriveSigningKey(credentials.secretAccessKey, shortDate, region());
    const signature = createHmac('sha256', signingKey).update(policy).digest('hex');
    const url = this.url();
    return { url: `${url.origin}${url.pathname}`, fields: { ...fields, key, Policy: policy, 'X-Amz-Signature': signature } };
  }

  private async sendOnce(request: S3Request): Promise<S3Response> {
    const url = this.url(request.key);
    const signed = await this.signer.sign({
      ...requestParts(url),
      method: request.method,
      query: request.query ?? {},
      headers: { host: url.host, ...request.headers, ...(request.body ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
      body: request.body,
    });
    const query = encodeQuery(request.query ?? {});
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const outgoing = client.request(
        {
          agent: url.protocol === 'https:' ? agents.https : agents.http,
          method: request.method,
          hostname: url.hostname,
          port: url.port || undefined,
          path: `${url.pathname}${query ? `?${query}` : ''}`,
          headers: signed.headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  }
}

function requestParts(url: URL) {
  return { protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname };
}

/** SigV4's signing key (kDate → kRegion → kService → kSigning). */
function deriveSigningKey(secret: string, shortDate: string, signingRegion: string): Buffer {
  const step = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  return step(step(step(step(`AWS4${secret}`, shortDate), signingRegion), 's3'), 'aws4_request');
}

/** What S3 means by a status when it sends no body (HEAD answers never have one). */
const CODES_BY_STATUS: Record<number, string> = { 403: 'Forbidden', 404: 'NotFound', 503: 'SlowDown' };

/** S3's XML error body: `<Error><Code>SlowDown</Code><Message>…</Message></Error>`. */
function errorFrom(response: S3Response): S3RequestError {
  const code = /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1] ?? CODES_BY_STATUS[response.status] ?? `Http${response.status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(response.body)?.[1] ?? response.body.slice(0, 200);
  return new S3RequestError(code, message, response.status);
}

