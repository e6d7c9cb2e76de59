/**
 * Resident memory of local mode: this process (gateway, runtime, workers, in-process emulators)
 * and every process it started (DynamoDB Local's Java and its watchdog), read from /proc.
 */
import { readFile, readdir } from 'node:fs/promises';

export type TreeMemory = { totalMb: number; processes: { pid: number; name: string; mb: number }[] };

export async function processTreeMemory(rootPid = process.pid): Promise<TreeMemory> {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    // pid (name) state ppid …; the name may hold spaces and parentheses.
    const match = stat && /^(\d+) \((.*)\) \S+ (\d+)/s.exec(stat);
    if (!match) continue;
    parents.set(Number(match[1]), Number(match[3]));
    names.set(Number(match[1]), match[2]!);
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) if (tree.has(parent) && !tree.has(pid)) (tree.add(pid), (grew = true));
  }
  const processes = await Promise.all(
    [...tree].map(async (pid) => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      return { pid, name: names.get(pid) ?? '?', mb: Math.round(kb / 1024) };
    }),
  );
  return { totalMb: processes.reduce((sum, entry) => sum + entry.mb, 0), processes: processes.filter((entry) => entry.mb > 0) };
}
