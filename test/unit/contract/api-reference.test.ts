/**
 * The API reference under docs/api is written for users; GET /openapi.json is generated from the
 * handlers' schemas. This keeps the two listing exactly the same routes, so a route cannot be
 * added, renamed or removed in one and forgotten in the other.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { buildOpenApiDocument } from '../../../functions/contract/openapi.js';
import { documentedOperations } from '../../../functions/system/get-openapi.js';

const DOCS = path.resolve(import.meta.dirname, '../../../docs/api');
const ROUTE_CELL = /^\|\s*(?:🔒\\?\*?\s*)?`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`/;

/** `METHOD /path` of every table row that documents a route, with the page it is on. */
function documentedRoutes(): Map<string, string> {
  const routes = new Map<string, string>();
  for (const page of readdirSync(DOCS).filter((name) => name.endsWith('.md'))) {
    for (const line of readFileSync(path.join(DOCS, page), 'utf8').split('\n')) {
      const match = ROUTE_CELL.exec(line);
      if (match) routes.set(`${match[1]} ${match[2]}`, page);
    }
  }
  return routes;
}

/** The OpenAPI document's routes, with the per-collection data routes folded back to `{collection}`. */
function openApiRoutes(): Set<string> {
  const document = buildOpenApiDocument(documentedOperations, { title: 'Lambase', version: '1' }) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const collections = Object.keys(backend.collections);
  const generic = (route: string) => {
    const match = /^\/data\/([^/]+)(\/.*)?$/.exec(route);
    return match && collections.includes(match[1]!) ? `/data/{collection}${match[2] ?? ''}` : route;
  };
  return new Set(
    Object.entries(document.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${generic(route)}`)),
  );
}

describe('the API reference in docs/api', () => {
  const documented = documentedRoutes();
  const published = openApiRoutes();
  const cloudDocumented = [...documented.keys()].filter((route) => !route.includes(' /_local/'));

  it('documents every route of GET /openapi.json', () => {
    const missing = [...published].filter((route) => !documented.has(route));
    expect(missing, 'routes in /openapi.json that docs/api does not document').toEqual([]);
  });

  it('documents no route that GET /openapi.json lacks (local-only routes apart)', () => {
    const extra = cloudDocumented.filter((route) => !published.has(route));
    expect(extra, 'routes documented in docs/api that /openapi.json does not have').toEqual([]);
  });

  it('is linked from the README, page by page from its index', () => {
    expect(readFileSync(path.resolve(DOCS, '../../README.md'), 'utf8')).toContain('docs/api/README.md');
    const index = readFileSync(path.join(DOCS, 'README.md'), 'utf8');
    for (const page of new Set(documented.values())) expect(index).toContain(`(${page})`);
  });
});

describe('citations of the contract', () => {
  it('point into the repository (docs/api), never at a file a user who clones Lambase does not have', () => {
    const root = path.resolve(DOCS, '../..');
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|mts|mjs|js|md|json)$/.test(file) && !file.endsWith('package-lock.json'));
    const outside = tracked.filter((file) => {
      const text = readFileSync(path.join(root, file), 'utf8');
      return /\bAPI\.md\b|\.\.\/\.\.\/shared\/|\/work\/shared/.test(text) && file !== 'test/unit/contract/api-reference.test.ts';
    });
    expect(outside, 'files citing the contract outside the repository').toEqual([]);
  });
});
