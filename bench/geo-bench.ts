/**
 * The geolocation rows of `npm run bench` (bench/local-bench.ts calls `geoBench`): 1,000 places
 * around a city in local mode's DynamoDB, then `near` queries of growing radius paged to the end
 * through the production document service, counting the Query calls each page makes (the bound
 * ARCHITECTURE.md states: one per covering cell, at most 9 below 77° latitude) and the time per page.
 * Figures, not pass/fail: test/integration/geo asserts the bound and the answers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../functions/adapters/aws-clients.js';
import { DynamoDbDocumentStore } from '../functions/adapters/dynamodb-document-store.js';
import { systemClock } from '../functions/core/clock.js';
import { DocumentService } from '../functions/core/documents/document-service.js';
import { coveringCells, queryPrecision } from '../functions/core/geo/geohash.js';
import { circleBox } from '../functions/core/geo/geometry.js';
import { pageCursors } from '../functions/core/pagination/cursor.js';
import backend from '../lambase.config.js';
import { startLocal } from '../local/start-local.js';
import type { BenchTable } from './realtime-bench.js';

const CITY = { lat: 48.8566, lng: 2.3522 };
const RADII = [200, 1_000, 2_000, 10_000, 50_000];

export async function geoBench(options: { quick: boolean; percentile: (values: number[], p: number) => number }): Promise<BenchTable[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-geo-'));
  const local = await startLocal({ port: 0, dataDir });
  try {
    let queries = 0;
    const dynamodb = new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials });
    dynamodb.middlewareStack.add((next, context) => (args) => {
      if (context.commandName === 'QueryCommand') queries++;
      return next(args);
    }, { step: 'initialize', name: 'countQueries' });
    const documents = new DocumentService({
      backend,
      store: new DynamoDbDocumentStore(createDocumentClient(dynamodb), local.tableName),
      cursors: pageCursors(async () => Buffer.alloc(32, 7)),
      clock: systemClock,
      newId: () => randomUUID(),
    });

    // 1,000 places (300 quick) spread over ±0.3° (≈ 33 km) around the city, in one category.
    const category = `bench-${randomUUID().slice(0, 8)}`;
    const owner = { userId: `bench-${randomUUID()}`, groups: [] };
    const count = options.quick ? 300 : 1_000;
    for (let i = 0; i < count; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, j) => {
        const k = i + j;
        // A deterministic spiral, denser near the centre, as places in a city are.
        const r = 0.3 * Math.sqrt(k / count);
        const angle = k * 2.399963;
        return documents.create(owner, 'places', { name: `place ${k}`, category, location: { lat: CITY.lat + r * Math.sin(angle), lng: CITY.lng + r * Math.cos(angle) } });
      }));
    }

    const body: string[][] = [];
    for (const radiusMeters of RADII) {
      const box = circleBox(CITY, radiusMeters);
      const cells = coveringCells(box, queryPrecision(box)).length;
      const perPage: number[] = [];
      const times: number[] = [];
      let matches = 0;
      let cursor: string | undefined;
      do {
        queries = 0;
        const started = performance.now();
        const page = await documents.query(undefined, 'places', { where: { category, location: { near: { ...CITY, radiusMeters } } } }, { limit: 20, cursor });
        times.push(performance.now() - started);
        perPage.push(queries);
        matches += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      body.push([
        `${radiusMeters.toLocaleString('en')} m`,
        String(matches),
        String(perPage.length),
        String(cells),
        `${Math.min(...perPage)}–${Math.max(...perPage)}`,
        `${options.percentile(times, 50).toFixed(1)} ms`,
      ]);
    }
    return [{
      title: `Geolocation: near queries over ${count} places, 20 per page (Query calls per page = covering cells, ≤ 9)`,
      header: ['radius', 'matches', 'pages', 'covering cells', 'Query calls / page', 'p50 per page'],
      body,
    }];
  } finally {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
