/**
 * Synthesizes the stack as `cdk synth` would (same feature flags from cdk.json, nag checks on),
 * skipping only the esbuild bundling, and returns the template plus cdk-nag's findings.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import backend from '../../lambase.config.js';
import type { Backend } from '../../functions/core/config/define-backend.js';
import { LambaseStack, type LambaseStackProps } from '../../lib/lambase-stack.js';
import { applyNagChecks } from '../../lib/nag.js';
import { resolveStage } from '../../lib/stage.js';

const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;

export type NagViolation = { rule: string; severity: string; path: string };

export function synthStack(options: { stage?: string; backend?: Backend } & Partial<Omit<LambaseStackProps, 'stage' | 'backend'>> = {}) {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'lambase-synth-'));
  const app = new App({ outdir, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const { stage = 'dev', backend: config = backend, ...rest } = options;
  const stack = new LambaseStack(app, `Lambase-${stage}`, {
    stage: resolveStage(stage),
    backend: config,
    env: { account: '123456789012', region: 'eu-west-1' },
    ...rest,
  });
  applyNagChecks(app);
  let nagFailed = false;
  try {
    app.synth();
  } catch (error) {
    if ((error as Error).name !== 'ValidationFailed' && !/Validation failed/.test((error as Error).message)) throw error;
    nagFailed = true;
  }
  const reportFile = path.join(outdir, 'validation-report.json');
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as {
        pluginReports: { violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
      })
    : { pluginReports: [] };
  const violations: NagViolation[] = report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({ rule: violation.ruleName, severity: violation.severity, path: construct.constructPath })),
    ),
  );
  return { stack, template: Template.fromStack(stack), violations, nagFailed };
}
