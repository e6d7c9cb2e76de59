/**
 * The shared build rewrites each SDK client's schemas module so that esbuild can drop the schemas
 * of commands a function never sends (build/function-build.ts, `rewriteSchemaKeys`). An SDK update
 * that changes the module's shape would silently bring them all back (~52 KB in every storage
 * function): this fails first, naming the client.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewriteSchemaKeys, SDK_SCHEMA_MODULE } from '../../../build/function-build.js';
import { PROJECT_ROOT } from '../../../lib/project-root.js';

const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** Every SDK client a function may bundle (the dependencies, not the dev tools). */
const clients = Object.keys(packageJson.dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));
const require = createRequire(path.join(PROJECT_ROOT, 'package.json'));

function schemasModule(client: string): string {
  const file = path.join(path.dirname(require.resolve(`${client}/package.json`)), 'dist-es/schemas/schemas_0.js');
  expect(SDK_SCHEMA_MODULE.test(file)).toBe(true);
  return readFileSync(file, 'utf8');
}

describe('the SDK schema rewrite', () => {
  it('knows the clients it works on, each pinned to one exact version', () => {
    expect(clients).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/client-lambda']));
    for (const client of clients) expect(packageJson.dependencies[client], client).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(clients)('turns every computed key of %s into the string it names', (client) => {
    const { contents, replaced, left } = rewriteSchemaKeys(schemasModule(client));
    expect(replaced).toBeGreaterThan(0);
    expect(left).toBe(0);
    expect(contents).not.toMatch(/\[_[\w$]+\]:/);
  });

  it('spells the same objects: only a key written as a constant changes, to that constant', () => {
    const source = 'const _h = "http";\nconst _e = "error";\nexport var A = [3, "A", { [_h]: ["GET", "/a", 200], [_e]: _e }];\n';
    expect(rewriteSchemaKeys(source).contents).toBe('const _h = "http";\nconst _e = "error";\nexport var A = [3, "A", { "http": ["GET", "/a", 200], "error": _e }];\n');
  });
});
