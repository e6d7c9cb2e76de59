/**
 * Local SNS for offline mode: mobile push (platform endpoints, topics of `application`
 * subscriptions, Publish), which no emulator reachable here implements. It speaks SNS's own
 * protocol for exactly the actions Lambase sends, so the production adapter
 * (functions/adapters/sns-push-gateway.ts) runs unchanged against it: local mode only sets
 * `AWS_ENDPOINT_URL_SNS`. Platform applications (one per platform of the config, no credentials
 * needed) and the config's topics exist from the start; every push a device would receive is
 * handed to `onDelivery` (local mode: the outbox).
 *
 * The parts, in this folder: sns-model (state and actions), query-protocol (the wire format),
 * push-delivery (per-platform payloads, as SNS checks and sends them).
 */
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { DevicePlatform } from '../../../functions/core/push/push-platforms.js';
import { QueryParameters, renderError, renderResult, SnsError } from './query-protocol.js';
import { SnsModel, type SnsDelivery, type SnsSnapshot } from './sns-model.js';

export type { SnsDelivery, SnsSnapshot } from './sns-model.js';

export type LocalSns = {
  /** `http://127.0.0.1:<port>`: the SDK endpoint (AWS_ENDPOINT_URL_SNS). */
  readonly endpoint: string;
  readonly region: string;
  /** Platform application ARN per platform asked for. */
  readonly applicationArns: Partial<Record<DevicePlatform, string>>;
  /** Topic ARN per topic asked for. */
  readonly topicArns: Record<string, string>;
  /** The endpoints and subscriptions that exist now (tests, tools). */
  snapshot(): SnsSnapshot;
  /** Closes the server; resolves once the state is on disk. */
  stop(): Promise<void>;
};

export type StartSnsOptions = {
  /** Where endpoints and subscriptions are kept across restarts. */
  dataDir: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** The platforms to make an application for (the config's), and the config's topics. */
  platforms: readonly DevicePlatform[];
  topics: readonly string[];
  /** Names applications and topics (`<prefix>-<platform>`, `<prefix>-<topic>`). @default 'lambase-local' */
  namePrefix?: string;
  onDelivery?: (delivery: SnsDelivery) => void;
};

/**
 * @example
 * const sns = await startSns({ dataDir: '.lambase/sns', platforms: ['fcm'], topics: ['posts'], onDelivery: (d) => console.log(d.title) });
 * process.env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
 */
export async function startSns(options: StartSnsOptions): Promise<LocalSns> {
  const region = options.region ?? 'us-east-1';
  const prefix = options.namePrefix ?? 'lambase-local';
  await mkdir(options.dataDir, { recursive: true });
  const model = new SnsModel({ region, file: path.join(options.dataDir, 'state.json'), onDelivery: options.onDelivery ?? (() => {}) });
  await model.load();
  const applicationArns = Object.fromEntries(options.platforms.map((platform) => [platform, model.addApplication(platform, `${prefix}-${platform}`)]));
  const topicArns = Object.fromEntries(options.topics.map((topic) => [topic, model.addTopic(`${prefix}-${topic}`, topic)]));

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let status = 200;
      let xml: string;
      try {
        if (request.method !== 'POST') throw new SnsError('InvalidAction', 400, 'Send actions as a form-encoded POST');
        const params = QueryParameters.parse(Buffer.concat(chunks).toString('utf8'));
        const action = params.required('Action');
        xml = renderResult(action, model.run(action, params));
      } catch (error) {
        const refusal = error instanceof SnsError ? error : new SnsError('InternalError', 500, 'Internal error');
        if (!(error instanceof SnsError)) console.error('local SNS: an action failed', error);
        status = refusal.status;
        xml = renderError(refusal);
      }
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(xml);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('local SNS: no address');

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region,
    applicationArns,
    topicArns,
    snapshot: () => model.snapshot(),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // SDK clients keep their connections alive; closing must not wait for them to go idle.
      server.closeAllConnections();
      await closed;
      await model.flushed();
    },
  };
}
