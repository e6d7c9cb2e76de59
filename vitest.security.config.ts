import { defineConfig } from 'vitest/config';

/**
 * `npm run test:security`: the security and reliability suite (SECURITY.md), apart from `npm test`
 * because it holds a soak and crash tests that take minutes. Four projects, in three rounds so that
 * the ones that load the machine do not share it:
 *   1. static (schemas, deploy-time checks) and faults (AWS faults, poison records, on the
 *      integration emulators);
 *   2. http: one local backend (global setup) for the authorization matrix, tokens and hostile input;
 *   3. process: local mode as a child process — soak, crash, network exposure — one file at a time.
 * The summary reporter prints the counts per category at the end.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    silent: 'passed-only',
    reporters: ['default', './test/security/harness/summary-reporter.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'security-static',
          include: ['test/security/static/**/*.test.ts'],
          // Synthesizing the stack is CPU-bound: one process for the files.
          isolate: false,
          testTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'security-faults',
          include: ['test/security/faults/**/*.test.ts'],
          globalSetup: ['test/setup/emulators-global-setup.ts'],
          setupFiles: ['test/setup/emulator-env.ts'],
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
          testTimeout: 60_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'security-http',
          include: ['test/security/http/**/*.test.ts'],
          globalSetup: ['test/security/harness/local-world-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'security-process',
          include: ['test/security/process/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
