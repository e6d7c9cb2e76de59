/**
 * The suite's categories and what a test counts in them (kept apart from security-test.ts, which
 * only loads inside a test run, so the summary reporter can read them too).
 */
export const CATEGORIES = {
  authorization: 'Authorization matrix (every route × caller, ids of others, reserved fields, admin routes)',
  tokens: 'Forged and misused tokens (gateway and functions)',
  realtime: 'Realtime socket (subscriptions × callers, forged tokens in auth frames, deliveries)',
  'hostile-input': 'Hostile input (fast-check: schemas, bodies, paths, query strings, headers)',
  'aws-faults': 'AWS faults (throttling, conditions, transactions, timeouts, S3, Cognito, SNS)',
  'stream-triggers': 'Stream triggers and user functions with a poison record or AWS failing',
  load: 'Load held (soak against local mode)',
  crash: 'Crash safety (SIGKILL in the middle of writes)',
  network: 'Nothing listens beyond the machine',
  deploy: 'Deploy-time checks (cdk-nag packs, IAM per function)',
} as const;

export type Category = keyof typeof CATEGORIES;

export type TallyRecord = {
  category: Category;
  cases: number;
  /** Cases by HTTP status class: "2xx", "4xx", "5xx"… (cases without an HTTP answer count in none). */
  statuses: Record<string, number>;
  /** Named figures (writes acknowledged, writes lost…), summed across tests. */
  figures: Record<string, number>;
};


declare module 'vitest' {
  // An interface because only interfaces merge with vitest's own declaration.
  interface TaskMeta {
    security?: TallyRecord;
  }
}
