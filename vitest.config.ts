import { defineConfig } from 'vitest/config';

/**
 * Seven projects, shaped like the pyramid (STYLE.md): unit (pure, in-memory), client-unit (the client
 * SDK against fakes), infra (CDK templates),
 * integration (real emulators started once in global setup),
 * local (local-mode parts, each test starting its own), e2e (the whole local mode) and browser (the
 * example app in Chromium).
 * local and e2e files run one at a time (after the others): each starts JVMs and whole backends,
 * and several at once on a 2-core machine only make each other time out.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // Handlers log JSON lines; show them only for tests that fail.
    silent: 'passed-only',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 },
      },
      {
        // The client SDK against a fake fetch and socket, and its generated types through tsc.
        extends: true,
        test: { name: 'client-unit', include: ['client/test/unit/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // Synthesizing a stack is CPU-bound: share one process across files.
          isolate: false,
          testTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/emulators-global-setup.ts'],
          setupFiles: ['test/setup/emulator-env.ts'],
          // Handlers' JSON logs go straight to stdout, past vitest's console capture.
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Local-mode parts (emulator fronts, gateway, event pump), each test starting its own.
          name: 'local',
          include: ['test/local/**/*.test.ts'],
          globalSetup: ['test/setup/function-bundles-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'client/test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/function-bundles-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        extends: true,
        test: {
          // The example app in headless Chromium against the whole local mode.
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
