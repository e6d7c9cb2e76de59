#!/usr/bin/env node
/**
 * The CDK app (composition root): reads lambase.config.ts, builds one stack for the stage and runs
 * the cdk-nag AwsSolutions checks over it.
 *
 *   npx cdk deploy [-c stage=dev] [-c adminEmail=you@example.com] [-c allowedOrigins=https://a,https://b]
 */
import { App } from 'aws-cdk-lib';
import { loadBackend } from '../lib/load-backend.js';
import { LambaseStack } from '../lib/lambase-stack.js';
import { applyNagChecks } from '../lib/nag.js';
import { resolveStage } from '../lib/stage.js';

const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key) as unknown;
  return value === undefined || value === '' ? undefined : String(value);
};

try {
  const backend = await loadBackend();
  const stage = resolveStage(context('stage') ?? 'dev');
  new LambaseStack(app, `Lambase-${stage.name}`, {
    stage,
    backend,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION },
    description: `Lambase backend (stage ${stage.name})`,
    allowedOrigins: context('allowedOrigins')?.split(',').map((origin) => origin.trim()).filter(Boolean),
    adminEmail: context('adminEmail'),
  });
  applyNagChecks(app);
} catch (error) {
  console.error(`\n✖ ${(error as Error).message}\n`);
  process.exit(1);
}
