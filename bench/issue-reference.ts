/**
 * The figures issue 15 starts from, measured on main before the performance work on this same
 * 2-core machine, next to a Parse Server 9 + PostgreSQL 15 backend doing the same per-user notes
 * workload (8 s autocannon runs, keep-alive). The monolith cannot run here (no Docker, no
 * PostgreSQL), so its figures are quoted, not re-measured: compare them with this run's only
 * through the ratios each run measures against DynamoDB Local alone.
 */
export type ReferenceRow = { figure: string; mainBefore: string; monolith: string };

export const ISSUE_15_REFERENCE: readonly ReferenceRow[] = [
  { figure: 'get a note by id, 1 connection', mainBefore: '104 req/s, p50 7.3 ms', monolith: '373 req/s, p50 2.4 ms' },
  { figure: 'get a note by id, 10 connections', mainBefore: '259 req/s', monolith: '559 req/s' },
  { figure: 'create a note, 1 connection', mainBefore: '77 req/s', monolith: '247 req/s' },
  { figure: 'create a note, 10 connections', mainBefore: '123 req/s', monolith: '488 req/s' },
  { figure: 'query own pinned notes (limit 20), 1 connection', mainBefore: '60 req/s', monolith: '302 req/s' },
  { figure: 'query own pinned notes (limit 20), 10 connections', mainBefore: '118 req/s', monolith: '428 req/s' },
  { figure: 'sign-up, first call (then warm)', mainBefore: '1.8 s (then 20 ms)', monolith: '0.15 s' },
  { figure: 'sign-in, first call (then warm)', mainBefore: '1.5 s (then 20 ms)', monolith: '0.13 s' },
  { figure: 'ready after start', mainBefore: '3.2–4.0 s (10 s under CI-like load)', monolith: '2.1 s' },
  { figure: 'function bundles', mainBefore: '37: 508–1,135 KB; import alone 3.0–6.6× an empty handler', monolith: '—' },
  { figure: 'resident memory after every route', mainBefore: '4.6 GB, 180 threads (> 3 GB minutes later)', monolith: '—' },
  { figure: 'DynamoDB Local alone (GetItem 1 / 10 conn.; PutItem 1 / 10)', mainBefore: '400 / 740; 250 / 400 req/s (idle machine)', monolith: '—' },
];
