/**
 * The dependency rules of ARCHITECTURE.md ("Dependencies point inward"), checked on every import
 * of every file under functions/: a rule broken by one line fails here, naming the file.
 */
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles, type SourceImport } from '../../fixtures/source-imports.js';

const functions = sourceFiles('functions').flatMap(importsOf);
const under = (folder: string) => (entry: SourceImport) => entry.file.startsWith(`${folder}/`);
const shown = (entries: SourceImport[]) => entries.map((entry) => `${entry.file} imports ${entry.specifier}`);

const AWS_SDK = /^@aws-sdk\//;
/** The config's validation and the field builders the config is written with: full zod, loaded by no bundle. */
const CONFIG_CHECK = ['functions/core/config/define-backend.ts', 'functions/core/config/function-config.ts', 'functions/core/geo/geo-fields.ts'];
const SDK_BOUND = /^@aws-sdk\/|^@aws-lambda-powertools\/idempotency\/dynamodb$/;
const RUNTIME = /^@middy\/|^aws-lambda$|^@aws-lambda-powertools\/|^aws-jwt-verify/;

describe('the layering of functions/', () => {
  it('reads the imports it judges (the scanner sees the SDK imports of the adapters)', () => {
    expect(functions.filter(under('functions/adapters')).some((entry) => AWS_SDK.test(entry.specifier))).toBe(true);
    expect(functions.filter(under('functions/shared')).some((entry) => RUNTIME.test(entry.specifier))).toBe(true);
  });

  it('lets only functions/adapters import the AWS SDK (and Powertools\' DynamoDB persistence layer)', () => {
    expect(shown(functions.filter((entry) => !under('functions/adapters')(entry) && SDK_BOUND.test(entry.specifier)))).toEqual([]);
  });

  it('keeps functions/core free of Lambda, middy and Powertools, and of every layer around it', () => {
    const core = functions.filter(under('functions/core'));
    expect(shown(core.filter((entry) => RUNTIME.test(entry.specifier) || SDK_BOUND.test(entry.specifier)))).toEqual([]);
    expect(shown(core.filter((entry) => entry.target !== undefined && !entry.target.startsWith('functions/core/')))).toEqual([]);
  });

  it('keeps functions/adapters on the core\'s ports: no HTTP stack, contract or feature wiring', () => {
    const adapters = functions.filter(under('functions/adapters'));
    const allowed = (target: string) => target.startsWith('functions/core/') || target.startsWith('functions/adapters/');
    expect(shown(adapters.filter((entry) => entry.target !== undefined && !allowed(entry.target)))).toEqual([]);
  });

  it('never imports lib/ or local/ (infrastructure and local mode depend on functions/, not the other way round)', () => {
    const outward = functions.filter((entry) => entry.target !== undefined && !entry.target.startsWith('functions/') && entry.target !== 'lambase.config.ts');
    expect(shown(outward)).toEqual([]);
  });

  it('takes zod from functions/core/zod.ts (zod/mini) only: full zod is for the config check, which no bundle loads', () => {
    const fullZod = functions.filter((entry) => /^zod($|\/v4\/classic|\/v3)/.test(entry.specifier) && !CONFIG_CHECK.includes(entry.file));
    const miniOutsideZodModule = functions.filter((entry) => entry.specifier === 'zod/mini' && entry.file !== 'functions/core/zod.ts');
    expect(shown([...fullZod, ...miniOutsideZodModule])).toEqual([]);
  });
});
