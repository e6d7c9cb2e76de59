/**
 * The local S3 endpoint. It checks what s3rver does not (presigned POST policies, presigned URL
 * expiry and signatures), answers refusals in S3's words with CORS headers, and streams everything
 * else to s3rver unchanged, except for unwrapping aws-chunked bodies and serving ListObjectsV2.
 *
 *   browser / SDK ──► front (127.0.0.1:port) ──► s3rver (127.0.0.1:random) ──► dataDir
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { AwsChunkedDecoder, isAwsChunked, plainBodyHeaders } from './aws-chunked.js';
import { corsResponseHeaders, type CorsRule } from './bucket-cors.js';
import { encodeForStore, readFormUpload } from './form-upload.js';
import { isListObjectsV2, toListObjectsV1, toListObjectsV2Xml } from './list-objects-v2.js';
import { verifyPostPolicy } from './post-policy.js';
import { verifyPresignedRequest } from './presigned-url.js';
import { newRequestIds, renderS3ErrorXml, S3Error } from './s3-error.js';
import type { AccessKey, SigningContext } from './sigv4.js';

export type FrontServerOptions = {
  readonly port: number;
  readonly storePort: number;
  readonly region: string;
  readonly credentials: AccessKey;
  /** The bucket's CORS rule, for the errors the front answers itself. */
  readonly corsRuleOf: (bucket: string) => CorsRule | undefined;
};

export type FrontServer = { readonly url: string; close(): Promise<void> };

type BufferedResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer };

const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];

export async function startFrontServer(options: FrontServerOptions): Promise<FrontServer> {
  const agent = new Agent({ keepAlive: true });
  const signing = (): SigningContext => ({ credentials: options.credentials, region: options.region, now: new Date() });

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(req, res, new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.', { Cause: String(error) }));
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const [path = '/', search = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const query = new URLSearchParams(search);
    const isBucketPath = /^\/[^/]+\/?$/.test(path);
    if (method === 'POST' && isBucketPath && req.headers.authorization === undefined && !query.has('X-Amz-Signature') && !query.has('delete')) {
      return uploadForm(req, res);
    }
    // A preflight for a presigned URL carries its query, but S3 answers preflights without auth.
    if (query.has('X-Amz-Signature') && method !== 'OPTIONS') {
      const refusal = await verifyPresignedRequest({ method, url: req.url ?? '/', headers: req.headers }, signing());
      if (refusal) return sendError(req, res, refusal);
    }
    if (isListObjectsV2(method, path, query)) return listObjectsV2(req, res, path, query);
    return forwardStreaming(req, res);
  }

  /** A browser form upload: verified here like S3 would, then stored through s3rver's own POST. */
  async function uploadForm(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const upload = await readFormUpload(req);
    if (upload instanceof S3Error) return sendError(req, res, upload, { closeConnection: !req.complete });
    const refusal = await verifyPostPolicy({ bucket: bucketOf(req), fields: upload.fields, fileSize: upload.file.content.size }, signing());
    if (refusal) return sendError(req, res, refusal);
    const { body, contentType } = await encodeForStore(upload);
    const stored = await forwardBuffered(req, { headers: { 'content-type': contentType, 'content-length': String(body.length) }, body });
    // s3rver names the ETag element of the success_action_status=201 document "Etag".
    const document = stored.status === 201 ? Buffer.from(stored.body.toString('utf8').replace(/<(\/?)Etag>/g, '<$1ETag>')) : stored.body;
    res.writeHead(stored.status, { ...withoutHopByHop(stored.headers), 'content-length': document.length });
    res.end(document);
  }

  async function listObjectsV2(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const v1 = toListObjectsV1(path, query);
    if (v1 instanceof S3Error) return sendError(req, res, v1);
    const listed = await forwardBuffered(req, { url: v1.v1Url });
    const body = listed.status === 200 ? Buffer.from(toListObjectsV2Xml(listed.body.toString('utf8'), v1), 'utf8') : listed.body;
    res.writeHead(listed.status, { ...withoutHopByHop(listed.headers), 'content-length': body.length });
    res.end(body);
  }

  /** Streams the request to s3rver and its answer back, unwrapping an aws-chunked body on the way. */
  function forwardStreaming(req: IncomingMessage, res: ServerResponse): void {
    const chunked = isAwsChunked(req.headers);
    const upstream = httpRequest(
      { host: '127.0.0.1', port: options.storePort, method: req.method, path: req.url, headers: forwardedHeaders(req, chunked ? plainBodyHeaders(req.headers) : req.headers), agent },
      (response) => {
        res.writeHead(response.statusCode ?? 502, withoutHopByHop(response.headers));
        pipeline(response, res, () => undefined);
      },
    );
    // Once s3rver has answered, its answer stands (it may refuse before reading the whole body).
    const fail = (error: S3Error): void => {
      if (!res.headersSent) sendError(req, res, error, { closeConnection: true });
    };
    upstream.on('error', (error) => fail(new S3Error('InternalError', 500, `We encountered an internal error. Please try again. (${error.message})`)));
    const failBody = (error: Error | null): void => {
      if (error) fail(new S3Error('IncompleteBody', 400, `The request body could not be read: ${error.message}`));
    };
    if (chunked) pipeline(req, new AwsChunkedDecoder(), upstream, failBody);
    else pipeline(req, upstream, failBody);
  }

  function forwardBuffered(req: IncomingMessage, replacement: { url?: string; headers?: IncomingHttpHeaders; body?: Buffer }): Promise<BufferedResponse> {
    return new Promise((resolve, reject) => {
      const headers = forwardedHeaders(req, { ...req.headers, ...replacement.headers });
      const upstream = httpRequest({ host: '127.0.0.1', port: options.storePort, method: req.method, path: replacement.url ?? req.url, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(replacement.body);
    });
  }

  function sendError(req: IncomingMessage, res: ServerResponse, error: S3Error, how: { closeConnection?: boolean } = {}): void {
    const ids = newRequestIds();
    const body = renderS3ErrorXml(error, ids);
    res.writeHead(error.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': ids.requestId,
      'x-amz-id-2': ids.hostId,
      ...corsResponseHeaders(options.corsRuleOf(bucketOf(req)), req.headers.origin),
      // A refused body left unread must not be taken for the next request on this connection.
      ...(how.closeConnection ? { connection: 'close' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

function bucketOf(req: IncomingMessage): string {
  const segment = (req.url ?? '/').split(/[/?]/)[1] ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The client's headers minus hop-by-hop ones; Host is kept so s3rver builds Locations on the front's URL. */
function forwardedHeaders(req: IncomingMessage, headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return { ...withoutHopByHop(headers), 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' };
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP_HEADERS) delete kept[name];
  return kept;
}
