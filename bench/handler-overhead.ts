/**
 * Warm handler overhead: what a function spends on a request besides the database, i.e. the full
 * middleware stack (event parsing, caller identity, validation, the use case, the response, the
 * log line) with DynamoDB answered in memory (aws-sdk-client-mock on the document client, so no
 * socket and no SDK serialisation). Runs in its own process, started by the bench with the
 * functions' environment, so the mock and the environment touch nothing else.
 *
 *   node --import tsx bench/handler-overhead.ts <spec JSON file>   → one JSON line on stdout
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { percentile } from './stats.js';

export type OverheadSpec = {
  /** The table item GetItem answers with (a document as the store writes it). */
  item: Record<string, unknown>;
  scenarios: { name: string; handler: string; event: unknown }[];
  calls: number;
};
export type Overhead = { name: string; p50Ms: number; p99Ms: number; calls: number; statuses: number[] };

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number }>;

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as OverheadSpec;
const dynamodb = mockClient(DynamoDBDocumentClient);
dynamodb.onAnyCommand().resolves({});
dynamodb.on(GetCommand).resolves({ Item: spec.item });

const context = { functionName: 'overhead', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
const results: Overhead[] = [];
for (const scenario of spec.scenarios) {
  const { handler } = (await import(path.join(PROJECT_ROOT, scenario.handler))) as { handler: Handler };
  // Handlers may change the event they get (header normalisation): each call gets its own copy,
  // made before the clock starts.
  const events = Array.from({ length: spec.calls * 2 }, () => structuredClone(scenario.event));
  const statuses = new Set<number>();
  const latencies: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const begin = performance.now();
    const response = await handler(events[i], context);
    // The first half warms the code up (JIT, caches), as a warm environment is.
    if (i >= spec.calls) latencies.push(performance.now() - begin);
    statuses.add(response.statusCode ?? 0);
  }
  results.push({ name: scenario.name, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), calls: latencies.length, statuses: [...statuses] });
}
process.stdout.write(`\n${JSON.stringify(results)}\n`);
process.exit(0);
