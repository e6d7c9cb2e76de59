/**
 * Local mode as a process of its own, the way a developer runs it — `npm start` (local/cli.ts), or
 * a small entry with options the CLI does not take — and what the suite reads about it from
 * /proc: its process tree and the sockets that tree listens on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { PROJECT_ROOT } from '../../../lib/project-root.js';
import { processesMentioning, waitFor } from '../../local/fixtures/processes.js';

export { processesMentioning, waitFor };

export type LocalProcess = { child: ChildProcess; url: string; output(): string; exited: Promise<number | null> };

/**
 * Starts `npm start`'s CLI (or another entry that prints where its API is) on a free port and the
 * given data folder, and resolves once it says it is ready.
 */
export async function startLocalProcess(dataDir: string, options: { entry?: string; env?: NodeJS.ProcessEnv } = {}): Promise<LocalProcess> {
  const entry = options.entry ?? 'local/cli.ts';
  const args = entry === 'local/cli.ts' ? ['--port', '0', '--data-dir', dataDir] : [dataDir];
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`local mode exited (${child.exitCode}):\n${text}`);
      return /(?:API +|ready )(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    },
    90_000,
    'local mode to be ready',
  );
  return { child, url, output: () => text, exited };
}

/** `pid` and every process below it, read from /proc (children by their parent's pid). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after its closing one are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), parent);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    for (const [child, parent] of parents) if (parent === tree[index] && !tree.includes(child)) tree.push(child);
  }
  return tree;
}

export type Listener = { pid: number; command: string; protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6'; address: string; port: number };

/**
 * Every socket the processes listen on (TCP in LISTEN state, and bound UDP sockets), with its
 * local address, matched through the socket inodes in each process's file descriptors.
 */
export function listenersOf(pids: readonly number[]): Listener[] {
  const owners = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) owners.set(inode, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const listeners: Listener[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const lines = readFileSync(`/proc/net/${protocol}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, , state] = [fields[1]!, fields[2]!, fields[3]!];
      const inode = fields[9]!;
      const listening = protocol.startsWith('tcp') ? state === '0A' : state === '07';
      const pid = owners.get(inode);
      if (!listening || pid === undefined) continue;
      const [hex, port] = local.split(':') as [string, string];
      listeners.push({ pid, command: commandOf(pid), protocol, address: decodeAddress(hex), port: parseInt(port, 16) });
    }
  }
  return listeners;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}

/** /proc/net addresses: IPv4 as 8 hex digits in host (little-endian) order, IPv6 as 4 such words. */
function decodeAddress(hex: string): string {
  const word = (part: string) => [6, 4, 2, 0].map((at) => parseInt(part.slice(at, at + 2), 16));
  if (hex.length === 8) return word(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((at) => word(hex.slice(at, at + 8)));
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[2 * index]! << 8) | bytes[2 * index + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Stops a local mode process with Ctrl-C (SIGINT) and waits until it and everything it started are gone. */
export async function stopLocalProcess(local: LocalProcess, dataDir: string): Promise<number | null> {
  if (local.child.exitCode === null && local.child.signalCode === null) local.child.kill('SIGINT');
  const code = await local.exited;
  await waitFor(() => processesMentioning(dataDir).length === 0, 15_000, 'every process of local mode to exit').catch(() => undefined);
  return code;
}
