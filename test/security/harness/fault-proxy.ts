/**
 * AWS faults no emulator produces, injected on the wire between local mode's functions and the
 * emulators: one small proxy per service, which the suite's local backend gives its functions as
 * their `AWS_ENDPOINT_URL_<SERVICE>`. It forwards every call untouched until told otherwise;
 * then it answers matching calls as AWS does when it throttles (DynamoDB's
 * ProvisionedThroughputExceededException, Cognito's TooManyRequestsException, S3's 503 SlowDown,
 * SNS's 429 Throttled), fails (InternalServerError / InternalErrorException / InternalError) or
 * drops the connection.
 * The functions' own SDK clients see those answers, so their retries and error mapping run for
 * real. A control endpoint sets the rules and reports the calls seen.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

export const FAULT_SERVICES = ['dynamodb', 's3', 'cognito', 'sns'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];
export type FaultKind = 'throttle' | 'server-error' | 'reset';

export type FaultRule = {
  service: FaultService;
  fault: FaultKind;
  /** Only these operations (GetItem, AdminGetUser, DeleteObject…); every one when absent. */
  operations?: string[];
  /** Only the first `times` matching calls; every one when absent. */
  times?: number;
};

export type CallCount = { service: FaultService; operation: string; calls: number; faulted: number };

export type FaultProxy = {
  endpoints: Record<FaultService, string>;
  /** Where calls go (the emulators). Calls that come before are held until this is known. */
  forwardTo(targets: Record<FaultService, string>): void;
  /** PUT rules (JSON FaultRule[]), GET calls, DELETE calls. */
  controlUrl: string;
  stop(): Promise<void>;
};

const ERRORS: Record<FaultService, Record<Exclude<FaultKind, 'reset'>, { status: number; contentType: string; body: string }>> = {
  dynamodb: {
    throttle: {
      status: 400,
      contentType: 'application/x-amz-json-1.0',
      body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'The level of configured provisioned throughput for the table was exceeded.' }),
    },
    'server-error': {
      status: 500,
      contentType: 'application/x-amz-json-1.0',
      body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' }),
    },
  },
  cognito: {
    throttle: { status: 400, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'TooManyRequestsException', message: 'Rate exceeded' }) },
    'server-error': { status: 500, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'InternalErrorException', message: 'Internal error' }) },
  },
  sns: {
    throttle: { status: 429, contentType: 'text/xml', body: snsError('Sender', 'Throttled', 'Rate exceeded') },
    'server-error': { status: 500, contentType: 'text/xml', body: snsError('Receiver', 'InternalError', 'Internal error') },
  },
  s3: {
    throttle: { status: 503, contentType: 'application/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' },
    'server-error': { status: 500, contentType: 'application/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>' },
  },
};

function snsError(type: string, code: string, message: string): string {
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`;
}

/**
 * The API call a request makes: the JSON protocols name it in a header, SNS's query protocol in
 * its form body (`Action=Publish&…`, read before this is called); S3 is REST.
 */
function operationOf(service: FaultService, request: IncomingMessage, body: Buffer | undefined): string {
  if (service === 'sns') return new URLSearchParams(body?.toString('utf8') ?? '').get('Action') ?? 'Unknown';
  if (service !== 's3') return String(request.headers['x-amz-target'] ?? '').split('.').at(-1) || 'Unknown';
  const query = (request.url ?? '').split('?')[1] ?? '';
  switch (request.method) {
    case 'GET':
      return /(^|&)list-type=2/.test(query) ? 'ListObjectsV2' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      return 'PutObject';
    case 'DELETE':
      return 'DeleteObject';
    case 'POST':
      return /(^|&)delete(=|&|$)/.test(query) ? 'DeleteObjects' : 'PostObject';
    default:
      return request.method ?? 'Unknown';
  }
}

export async function startFaultProxy(): Promise<FaultProxy> {
  let forwardTo: (targets: Record<FaultService, string>) => void = () => {};
  const targets = new Promise<Record<FaultService, string>>((resolve) => (forwardTo = resolve));
  let rules: (FaultRule & { used: number })[] = [];
  const counts = new Map<string, CallCount>();
  const servers: Server[] = [];

  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const proxyFor = (service: FaultService) =>
    createServer(async (request: IncomingMessage, response: ServerResponse) => {
      // SNS names its operation in the body: that one is read whole, then sent on as it came.
      const body = service === 'sns' ? Buffer.concat(await request.toArray()) : undefined;
      const operation = operationOf(service, request, body);
      const key = `${service} ${operation}`;
      const count = counts.get(key) ?? { service, operation, calls: 0, faulted: 0 };
      counts.set(key, count);
      count.calls += 1;
      const rule = rules.find(
        (candidate) => candidate.service === service && (!candidate.operations || candidate.operations.includes(operation)) && (candidate.times === undefined || candidate.used < candidate.times),
      );
      if (rule) {
        rule.used += 1;
        count.faulted += 1;
        if (!body) request.resume();
        if (rule.fault === 'reset') {
          request.socket.destroy();
          return;
        }
        const error = ERRORS[service][rule.fault];
        response.writeHead(error.status, { 'content-type': error.contentType, 'content-length': Buffer.byteLength(error.body), 'x-amzn-requestid': 'fault-proxy' });
        response.end(request.method === 'HEAD' ? undefined : error.body);
        return;
      }
      void targets.then((known) => {
        const target = new URL(known[service]);
        // Headers go as they came (Host included): signatures made for this endpoint stay valid.
        const upstream = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          pipeline(answer, response, () => undefined);
        });
        upstream.on('error', () => response.destroy());
        if (body) upstream.end(body);
        else pipeline(request, upstream, () => undefined);
      });
    });

  const endpoints = {} as Record<FaultService, string>;
  for (const service of FAULT_SERVICES) endpoints[service] = await listen(proxyFor(service));

  const control = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const seen = JSON.stringify([...counts.values()]);
      if (request.method === 'PUT') rules = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '[]') as FaultRule[]).map((rule) => ({ ...rule, used: 0 }));
      if (request.method === 'DELETE') counts.clear();
      response.writeHead(200, { 'content-type': 'application/json' }).end(seen);
    });
  });
  const controlUrl = await listen(control);

  return {
    endpoints,
    forwardTo,
    controlUrl,
    async stop() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

/** Sets the rules (none: everything passes); returns the calls seen since the last reset. */
export async function setFaults(controlUrl: string, rules: FaultRule[]): Promise<CallCount[]> {
  return (await (await fetch(controlUrl, { method: 'PUT', body: JSON.stringify(rules) })).json()) as CallCount[];
}

/** The calls seen since the last reset, then a reset. */
export async function takeCalls(controlUrl: string): Promise<CallCount[]> {
  return (await (await fetch(controlUrl, { method: 'DELETE' })).json()) as CallCount[];
}
