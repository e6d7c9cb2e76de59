/**
 * `npm start [-- --port 4000 --data-dir .lambase --reset --verbose]`: runs the whole backend
 * offline and stops everything it started on Ctrl-C (SIGINT) or SIGTERM — during startup too. A
 * second Ctrl-C, or a stop that takes over STOP_LIMIT_MS, exits at once (DynamoDB Local's Java is
 * killed by its exit hook and watchdog either way).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { BackendConfigError } from '../functions/core/config/define-backend.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { JavaMissingError } from './emulators/dynamodb.js';
import { startLocal, type LocalBackend } from './start-local.js';

// Lambda runs in UTC, and TZ is process-wide: set it before anything reads the clock's zone.
process.env.TZ = 'UTC';
const STOP_LIMIT_MS = 20_000;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    reset: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

/** The one way out of the CLI, whatever the reason. */
function exitWith(code: number): never {
  return process.exit(code);
}

if (values.help) {
  console.log('Usage: npm start -- [--port 4000] [--data-dir .lambase] [--reset] [--verbose]');
  exitWith(0);
}

const port = Number(values.port ?? process.env.PORT ?? 4000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`✖ --port must be a port number, got "${values.port ?? process.env.PORT}".`);
  exitWith(1);
}

const print = (line: string) => console.log(line);
// Local tooling runs on the developer's Node; the SDK's notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Signals are handled from the start: Ctrl-C while the emulators start stops what has started.
const abort = new AbortController();
let local: LocalBackend | undefined;
let stopping = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (stopping) {
    console.error(`\n${signal} again: exiting now.`);
    exitWith(130);
  }
  stopping = true;
  print(`\n${signal}: stopping… (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again exits at once)`);
  setTimeout(() => {
    console.error(`✖ Stopping took over ${STOP_LIMIT_MS / 1000} s: exiting anyway.`);
    exitWith(1);
  }, STOP_LIMIT_MS).unref();
  abort.abort();
  // While starting, startLocal itself stops what has started and rejects (handled below).
  if (local) local.stop().then(() => exitWith(0), () => exitWith(1));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  local = await startLocal({
    port,
    dataDir: values['data-dir'],
    reset: values.reset,
    functionLogLevel: values.verbose ? 'INFO' : 'WARN',
    // Saving a function's source rebuilds its bundle; the next request runs the new code.
    watch: true,
    signal: abort.signal,
    log: print,
  });
  const relative = path.relative(process.cwd(), local.dataDir);
  const relativeData = relative.startsWith('..') ? local.dataDir : relative || '.';
  print('');
  // Counted from the process's start, module loading included.
  print(`Lambase is running locally (ready in ${process.uptime().toFixed(1)} s)`);
  print(`  API        ${local.url}`);
  print(`  OpenAPI    ${local.url}/openapi.json`);
  print(`  Outbox     ${local.url}/_local/outbox   (emails with codes, push messages)`);
  print(`  Data       ${relativeData}${values.reset ? '   (reset)' : ''}   — npm start -- --reset wipes it`);
  print(`  User pool  ${local.userPoolId}   client ${local.userPoolClientId}`);
  print(`  Functions  the deployable bundles, rebuilt when you save a source file`);
  print('Press Ctrl-C to stop.');
  print('');
} catch (error) {
  if (abort.signal.aborted) exitWith(0); // stopped during startup, as asked
  console.error(`✖ ${explain(error as Error, port)}`);
  exitWith(1);
}

function explain(error: Error & { code?: string }, port: number): string {
  if (error.code === 'EADDRINUSE') {
    return `Port ${port} is already in use: stop what uses it, or run npm start -- --port ${port + 1}`;
  }
  if (error instanceof JavaMissingError || error instanceof DataDirInUseError) return error.message;
  if (error instanceof BackendConfigError) return error.message;
  return `Local mode could not start: ${error.message}`;
}
