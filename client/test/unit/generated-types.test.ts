/**
 * `npm run types` end to end at the type level: the types generated from a config are compiled
 * (by TypeScript itself, as an app's build would) with fixture files that use the client. An
 * unknown field on `notes` must be a compile error — every `@ts-expect-error` in the fixtures must
 * meet one — and correct code must compile.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generateTypes, loadBackendCollections } from '../../codegen/generate-types.js';
import geoBackend from '../fixtures/geo-backend.js';

const CLIENT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.join(CLIENT_ROOT, 'test/type-fixtures');

/** Compiles one fixture with the generated types beside it (in memory); returns the diagnostics. */
function compile(fixture: string, generated: string): string[] {
  const { config } = ts.readConfigFile(path.join(CLIENT_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, CLIENT_ROOT);
  const generatedPath = path.join(FIXTURES, 'lambase-types.d.ts');
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => (path.resolve(file) === generatedPath ? generated : readFile(file));
  host.fileExists = (file) => path.resolve(file) === generatedPath || fileExists(file);
  const program = ts.createProgram([path.join(FIXTURES, fixture), generatedPath], { ...options, noEmit: true }, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file ? `${path.basename(diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

describe('generated types', () => {
  it("declare the repository's collections from lambase.config.ts, reserved fields included", async () => {
    const text = generateTypes(await loadBackendCollections(path.join(CLIENT_ROOT, '../lambase.config.ts')));
    expect(text).toContain('export type NotesDocument = {\n  id: string;');
    expect(text).toMatch(/export type NotesCreate = \{\n  title: string;\n  body\?: string;\n  pinned\?: boolean;\n  tags\?: string\[\];\n\};/);
    expect(text).toMatch(/export type NotesUpdate = \{\n  title\?: string;\n  body\?: string \| null;/);
    expect(text).toContain("declare module '@lambase/client' {");
  });

  it('make collection("notes") typed, and an unknown field on notes a compile error', { timeout: 60_000 }, async () => {
    const generated = generateTypes(await loadBackendCollections(path.join(CLIENT_ROOT, '../lambase.config.ts')));
    expect(compile('example-backend.ts', generated)).toEqual([]);
  });

  it('type point fields as GeoPoint, with near queries carrying distanceMeters', { timeout: 60_000 }, () => {
    const generated = generateTypes(geoBackend);
    expect(generated).toContain("import type { GeoPoint } from '@lambase/client';");
    expect(generated).toContain('  location: GeoPoint;');
    expect(generated).toContain('export type FoodTrucksDocument');
    expect(generated).toContain('  /** What the sign says */\n  name: string;');
    expect(compile('geo-backend.ts', generated)).toEqual([]);
  });

  it('fail the compile when an expected error does not happen (the check can fail)', { timeout: 60_000 }, async () => {
    // Without generated types every collection is untyped: the fixture's expected errors vanish.
    const untyped = 'export type LambaseSchema = never; export type NotesDocument = Record<string, unknown>;\n';
    const diagnostics = compile('example-backend.ts', untyped);
    expect(diagnostics.some((message) => message.includes("Unused '@ts-expect-error' directive"))).toBe(true);
  });
});
