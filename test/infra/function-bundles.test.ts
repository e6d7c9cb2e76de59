/**
 * The CDK deploys the shared build's bundles (lib/functions/function-bundles.ts): each function
 * gets its own handler's bundle and source map, built once for the whole stack and never through
 * Docker, and its code is the bytes local mode runs.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { LambaseFunction } from '../../lib/functions/lambase-function.js';
import { resolveStage } from '../../lib/stage.js';

describe('function code in a synthesized stack', () => {
  it("is each function's own bundle from the shared build, with its source map", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'lambase-bundles-synth-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundles', { env: { account: '123456789012', region: 'eu-west-1' } });
    const stage = resolveStage('dev');
    const handlers = ['functions/system/not-found.ts', 'functions/system/get-openapi.ts', 'test/fixtures/functions/record-events.ts'];
    const functions = handlers.map((handler, i) => new LambaseFunction(stack, `Fn${i}`, { settings: { handler, grants: [] }, stage, environment: {} }));
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string }; Handler: string } }> };
    const assetFolders = functions.map((fn) => {
      const properties = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties;
      expect(properties.Handler).toBe('index.handler');
      return path.join(outdir, `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`);
    });
    expect(new Set(assetFolders).size).toBe(handlers.length);
    for (const folder of assetFolders) expect(readdirSync(folder).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const [notFound, openApi, fixture] = assetFolders.map((folder) => readFileSync(path.join(folder, 'index.mjs'), 'utf8'));
    expect(openApi).toContain('openapi');
    expect(notFound).not.toContain('"3.1.0"');
    // A handler outside the route and trigger tables is built too.
    expect(fixture).toContain('handler');
  }, 180_000);
});
