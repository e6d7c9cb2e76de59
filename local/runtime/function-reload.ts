/**
 * Reloads user functions without a restart: a change to a file in the folder of a user function's
 * handler (or below it: the modules it imports from there) makes the runtime load those functions
 * afresh on their next invocation (`LocalLambdaRuntime.invalidate`), as a deploy makes Lambda
 * start new execution environments.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/** Editors save in bursts (write, rename, chmod): one reload per burst. */
const SETTLE_MS = 100;

export type ReloadedFunction = { name: string; handlerFile: string };

export type FunctionReload = { stop(): void };

/**
 * @example
 * const reload = watchFunctionFiles(runtime, [{ name: 'welcome', handlerFile: '/app/functions-user/welcome.ts' }], log);
 * reload.stop();
 */
export function watchFunctionFiles(
  runtime: { invalidate(name: string): void },
  functions: readonly ReloadedFunction[],
  log: (line: string) => void = () => {},
): FunctionReload {
  const byFolder = new Map<string, string[]>();
  for (const fn of functions) {
    const folder = path.dirname(fn.handlerFile);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), fn.name]);
  }
  const watchers: FSWatcher[] = [];
  const timers = new Set<NodeJS.Timeout>();
  for (const [folder, names] of byFolder) {
    let pending: NodeJS.Timeout | undefined;
    const changed = new Set<string>();
    // A handler at the project's root: its folder holds node_modules and the data folder, far too
    // much to watch; its own files are watched, not what lies below.
    const recursive = !existsSync(path.join(folder, 'node_modules'));
    const watcher = watch(folder, { recursive }, (_event, file) => {
      if (file && (!/\.(ts|mts|js|mjs)$/.test(String(file)) || /(^|[/\\])(\.|node_modules)/.test(String(file)))) return;
      if (file) changed.add(String(file));
      if (pending) return;
      pending = setTimeout(() => {
        timers.delete(pending!);
        pending = undefined;
        for (const name of names) runtime.invalidate(name);
        log(`↻  ${[...changed].join(', ')} changed: ${names.join(', ')} reload on their next call`);
        changed.clear();
      }, SETTLE_MS);
      timers.add(pending);
    });
    // A folder that cannot be watched (removed meanwhile) must not end local mode.
    watcher.on('error', (error) => log(`↻  cannot watch ${folder} for changes: ${error.message}`));
    watchers.push(watcher);
  }
  return {
    stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
