#!/usr/bin/env node
/**
 * `npm run example [-- --port 4000 --web-port 5173]`: the backend in local mode (`npm start`, as a
 * child process, its output passed through) and the example app on Vite's dev server, pointed at
 * it. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4000' }, 'web-port': { type: 'string', default: '5173' } } });
const apiPort = Number(values.port);
const webPort = Number(values['web-port']);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

const backend = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', '--port', String(apiPort)], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
const backendExited = new Promise<number>((resolve) => backend.once('exit', (code) => resolve(code ?? 1)));

// Ready when the CLI prints its banner (it exits with the reason when it cannot start).
const ready = await new Promise<boolean>((resolve) => {
  const lines = createInterface({ input: backend.stdout });
  lines.on('line', (line) => {
    console.log(line);
    if (line.startsWith('Lambase is running locally')) resolve(true);
  });
  void backendExited.then(() => resolve(false));
});
if (!ready) process.exit(await backendExited);

const vite = await createServer({
  configFile: fileURLToPath(new URL('vite.config.ts', import.meta.url)),
  server: { port: webPort },
  define: { 'import.meta.env.VITE_LAMBASE_URL': JSON.stringify(`http://127.0.0.1:${apiPort}`) },
});
await vite.listen();
console.log(`\nFieldnotes (the example app) is at ${vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${webPort}/`}\n`);

// Ctrl-C reaches the backend too (same process group): it stops itself; close Vite, then follow it out.
const stop = async () => {
  await vite.close();
  backend.kill('SIGTERM');
  process.exit(await backendExited);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
void backendExited.then(async (code) => {
  await vite.close();
  process.exit(code);
});
