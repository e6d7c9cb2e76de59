/**
 * esbuild's `build`, with its service process stopped once no build has run for a moment.
 *
 * esbuild's JavaScript API runs every build in one long-lived Go process, started on the first
 * call and kept until the Node process exits. After building the functions of this project it
 * holds about 400 MB resident — more than the rest of local mode together — while `npm start`
 * only builds again when a file is saved. Stopping it when idle gives that memory back; the next
 * build starts a new one (a few milliseconds, next to the build itself).
 *
 * Every build of this repository's code goes through here, so a build in flight is never cut short
 * by the stop: the count of builds in flight is kept per process (on `globalThis`), shared by every
 * copy of this module a test runner may load in one process, since they all share one esbuild.
 */
import { build as esbuildBuild, stop, type BuildOptions, type BuildResult, type SameShape } from 'esbuild';

/** How long the service may sit idle before it is stopped. */
export const IDLE_SERVICE_MS = 2_000;

type ServiceState = { inFlight: number; idleTimer: NodeJS.Timeout | undefined };
const STATE_KEY = Symbol.for('lambase.esbuildService');
const state: ServiceState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] as ServiceState | undefined) ?? { inFlight: 0, idleTimer: undefined };
(globalThis as Record<symbol, unknown>)[STATE_KEY] = state;

export async function build<T extends BuildOptions>(options: SameShape<BuildOptions, T>): Promise<BuildResult<T>> {
  clearTimeout(state.idleTimer);
  state.idleTimer = undefined;
  state.inFlight += 1;
  try {
    return await esbuildBuild(options);
  } finally {
    state.inFlight -= 1;
    if (state.inFlight === 0) {
      state.idleTimer = setTimeout(() => {
        state.idleTimer = undefined;
        if (state.inFlight === 0) void stop();
      }, IDLE_SERVICE_MS);
      state.idleTimer.unref();
    }
  }
}
