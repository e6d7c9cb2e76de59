// One cold start, as Lambda has it: this fresh Node process imports a function's bundle and serves
// one event, then reports when it answered, in milliseconds since the process started (Node's own
// start included), split into the import and the first invocation.
//
//   node bench/cold-start-harness.mjs <bundle file URL> <event JSON file>
import { lambdaContext as context } from './lambda-context.mjs';
import { readFileSync } from 'node:fs';

const [bundleUrl, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = performance.now();
const { handler } = await import(bundleUrl);
const imported = performance.now();
const result = await handler(event, context);
const answered = performance.now();
process.stdout.write(`\n${JSON.stringify({ importMs: imported - started, invokeMs: answered - imported, totalMs: answered, status: result?.statusCode ?? null })}\n`);
// Like a frozen Lambda environment, nothing after the answer counts (keep-alive sockets, timers).
process.exit(0);
