#!/usr/bin/env node
/**
 * `npm run outputs [-- --file cdk-outputs.json --stage dev --out lambase.outputs.json]`
 * Turns `cdk deploy --outputs-file` into the client config (versioned; see
 * functions/contract/stack-outputs.ts) that the client SDK and the example frontend read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { clientConfigFrom, stackOutputsSchema } from '../functions/contract/stack-outputs.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'cdk-outputs.json' },
    stage: { type: 'string' },
    out: { type: 'string', default: 'lambase.outputs.json' },
  },
});

try {
  const all = JSON.parse(readFileSync(values.file!, 'utf8')) as Record<string, unknown>;
  const stacks = Object.keys(all).filter((name) => name.startsWith('Lambase-'));
  const stackName = values.stage ? `Lambase-${values.stage}` : stacks.length === 1 ? stacks[0] : undefined;
  if (!stackName || !(stackName in all)) {
    throw new Error(`Pick a stage with --stage; ${values.file} has: ${stacks.join(', ') || 'no Lambase stack'}.`);
  }
  const parsed = stackOutputsSchema.safeParse(all[stackName]);
  if (!parsed.success) {
    throw new Error(`${stackName}'s outputs are not the ones this version expects (${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}): redeploy.`);
  }
  const config = clientConfigFrom(stackName.slice('Lambase-'.length), parsed.data);
  writeFileSync(values.out!, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`Wrote ${values.out} for ${stackName}: ${config.apiUrl}`);
} catch (error) {
  console.error(`✖ ${(error as Error).message}`);
  process.exit(1);
}
