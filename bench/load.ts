/**
 * A closed-loop load generator: `connections` callers, each sending its next request as soon as the
 * last one answered, for `durationMs` after a short warm-up; what autocannon does, without its
 * dependency. HTTP goes over keep-alive sockets, one per caller.
 */
import http from 'node:http';
import { percentile } from './stats.js';

export type Rate = { perSecond: number; p50Ms: number; p99Ms: number; requests: number };

export async function measureRate(connections: number, durationMs: number, call: () => Promise<void>, warmupMs = 500): Promise<Rate> {
  const loop = async (until: number, latencies?: number[]) => {
    while (performance.now() < until) {
      const begin = performance.now();
      await call();
      latencies?.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: connections }, () => loop(performance.now() + warmupMs)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, () => loop(started + durationMs, latencies)));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), requests: latencies.length };
}

/** A JSON request over a keep-alive agent; rejects on a status of 400 or more. */
export function httpCaller(baseUrl: string, agent: http.Agent, request: () => { method: string; path: string; token?: string; body?: unknown }) {
  const url = new URL(baseUrl);
  return () =>
    new Promise<void>((resolve, reject) => {
      const { method, path, token, body } = request();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const outgoing = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (response) => {
          response.resume();
          response.on('end', () => ((response.statusCode ?? 500) >= 400 ? reject(new Error(`${method} ${path}: HTTP ${response.statusCode}`)) : resolve()));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
}
