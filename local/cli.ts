/**
 * `npm start [-- --port 4000 --data-dir .lambase --reset --verbose]`: runs the whole backend
 * offline and stops everything it started on Ctrl-C (SIGINT) or SIGTERM.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { BackendConfigError } from '../functions/core/config/define-backend.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { JavaMissingError } from './emulators/dynamodb.js';
import { startLocal } from './start-local.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    reset: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('Usage: npm start -- [--port 4000] [--data-dir .lambase] [--reset] [--verbose]');
  process.exit(0);
}

const port = Number(values.port ?? process.env.PORT ?? 4000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`✖ --port must be a port number, got "${values.port ?? process.env.PORT}".`);
  process.exit(1);
}

const print = (line: string) => console.log(line);
// Local tooling runs on the developer's Node; the SDK's notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  const local = await startLocal({
    port,
    dataDir: values['data-dir'],
    reset: values.reset,
    functionLogLevel: values.verbose ? 'INFO' : 'WARN',
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
  print('Press Ctrl-C to stop.');
  print('');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: stopping…`);
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  console.error(`✖ ${explain(error as Error, port)}`);
  process.exit(1);
}

function explain(error: Error & { code?: string }, port: number): string {
  if (error.code === 'EADDRINUSE') {
    return `Port ${port} is already in use: stop what uses it, or run npm start -- --port ${port + 1}`;
  }
  if (error instanceof JavaMissingError || error instanceof DataDirInUseError) return error.message;
  if (error instanceof BackendConfigError) return error.message;
  return `Local mode could not start: ${error.message}`;
}
