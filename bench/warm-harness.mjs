// Warm invocations under a Lambda memory size's CPU share: this fresh Node process imports a
// function's bundle at full speed (Lambda's init runs at full CPU), serves a few calls to warm
// up, then moves itself into the CPU cgroup given (the share Lambda gives that memory size) and
// times `calls` more, one after another. Prints the durations in milliseconds.
//
//   node bench/warm-harness.mjs <bundle file URL> <event JSON file> <calls> <cgroup.procs file>
import { lambdaContext as context } from './lambda-context.mjs';
import { readFileSync, writeFileSync } from 'node:fs';

const [bundleUrl, eventFile, calls, procsFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const { handler } = await import(bundleUrl);
const statuses = new Set();
// Each call gets its own copy, as each Lambda invocation gets its own event (handlers may change theirs).
for (let i = 0; i < 3; i++) statuses.add((await handler(structuredClone(event), context))?.statusCode ?? null);
writeFileSync(procsFile, String(process.pid));
const durations = [];
for (let i = 0; i < Number(calls); i++) {
  const copy = structuredClone(event);
  const started = performance.now();
  statuses.add((await handler(copy, context))?.statusCode ?? null);
  durations.push(performance.now() - started);
}
process.stdout.write(`\n${JSON.stringify({ durations, statuses: [...statuses] })}\n`);
process.exit(0);
