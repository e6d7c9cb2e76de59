/**
 * The stack's function bundles, built with the shared build (build/function-build.ts) — the same
 * bundles local mode runs. One per stack, found with `FunctionBundles.of(scope)`.
 *
 * The CDK bundles each function's asset through a synchronous callback; the first one builds every
 * function of the backend at once in a child process (one esbuild run shares its parsing across all
 * of them), and each callback copies its function's folder. A handler outside the route and trigger
 * tables (a custom resource's) is built on its own when asked for. Nothing is built when the CDK
 * skips bundling (`cdk synth --exclusively` of other stacks, tests with `aws:cdk:bundling-stacks`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssetHashType, DockerImage, Stack } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BUNDLE_FILE_NAME, type FunctionEntry } from '../../build/function-build.js';
import { PROJECT_ROOT } from '../project-root.js';

const ID = 'LambaseFunctionBundles';
const BUILD_SCRIPT = path.join(PROJECT_ROOT, 'build/build-functions.ts');

/** The Lambda handler setting for a shared-build bundle. */
export const BUNDLE_HANDLER = `${path.basename(BUNDLE_FILE_NAME, '.mjs')}.handler`;

export class FunctionBundles extends Construct {
  /** The stack's bundles (created on first use). */
  static of(scope: Construct): FunctionBundles {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(ID) as FunctionBundles | undefined) ?? new FunctionBundles(stack, ID);
  }

  private outdir: string | undefined;
  private everyFunctionBuilt = false;

  /** The asset of `entry`'s bundle (its folder: `index.mjs` and its source map). */
  code(entry: FunctionEntry): Code {
    return Code.fromAsset(PROJECT_ROOT, {
      // The asset is what the build wrote, not the whole project.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Required by the API, never used: bundling is local, and fails loudly rather than fall back to Docker.
        image: DockerImage.fromRegistry('lambase/local-bundling-only'),
        // Part of the CDK's bundling cache key, which cannot see into tryBundle: without it, every
        // function of the stack would get the first one's bundle.
        environment: { LAMBASE_FUNCTION: entry.id },
        local: { tryBundle: (outputDir) => (this.copyBundle(entry, outputDir), true) },
      },
    });
  }

  private copyBundle(entry: FunctionEntry, outputDir: string): void {
    if (!this.everyFunctionBuilt) {
      this.everyFunctionBuilt = true;
      this.build([]);
    }
    const folder = path.join(this.buildFolder(), entry.id);
    // A handler outside the route and trigger tables (a custom resource's) has no uses.
    if (!existsSync(path.join(folder, BUNDLE_FILE_NAME))) this.build([entry.handler]);
    cpSync(folder, outputDir, { recursive: true });
  }

  private buildFolder(): string {
    if (!this.outdir) {
      const outdir = mkdtempSync(path.join(os.tmpdir(), 'lambase-functions-'));
      process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
      this.outdir = outdir;
    }
    return this.outdir;
  }

  /** Runs the shared build for `handlers` (all the backend's functions when empty), synchronously. */
  private build(handlers: string[]): void {
    execFileSync(process.execPath, ['--import', 'tsx', BUILD_SCRIPT, this.buildFolder(), ...handlers], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
}
