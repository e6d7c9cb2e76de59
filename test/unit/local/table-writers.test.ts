/**
 * Local mode wakes the table's stream readers after a function that can write to the table, and
 * only then (a read that woke them made DynamoDB Local serve every reader's polls in the middle of
 * the next request). Which functions can write comes from the same grants the CDK turns into IAM.
 */
import { describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { allRoutes } from '../../../lib/routes.js';
import { allTriggers } from '../../../lib/triggers.js';
import { writesTable } from '../../../local/runtime/register-functions.js';

const routes = allRoutes(backend);
const route = (method: string, path: string) => {
  const found = routes.find((candidate) => candidate.operation.method === method && candidate.operation.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
};

describe('the functions that wake the stream readers', () => {
  it('are the ones that change documents, profiles or devices', () => {
    for (const [method, path] of [
      ['POST', '/data/{collection}'],
      ['PATCH', '/data/{collection}/{id}'],
      ['DELETE', '/data/{collection}/{id}'],
      ['POST', '/data/_batch'],
      ['PATCH', '/me'],
      ['POST', '/push/devices'],
    ] as const) {
      expect(writesTable(route(method, path)), `${method} ${path}`).toBe(true);
    }
    // The Cognito trigger that creates a profile, and the user functions that keep receipts.
    expect(allTriggers(backend).filter(writesTable).length).toBeGreaterThan(0);
  });

  it('leave out every function that only reads', () => {
    for (const [method, path] of [
      ['GET', '/data/{collection}/{id}'],
      ['GET', '/data/{collection}'],
      ['POST', '/data/{collection}/query'],
      ['GET', '/me'],
      ['GET', '/openapi.json'],
    ] as const) {
      expect(writesTable(route(method, path)), `${method} ${path}`).toBe(false);
    }
  });
});
