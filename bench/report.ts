// The benchmark's printed report: one block per database, then a table for docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import type { ProcCounters } from './harness.ts';

export interface Result {
  db: string;
  messages: number;
  wallS: number;
  acceptedPerS: number;
  submittedPerS: number;
  e2ePerS: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  allFinal: boolean;
  /** Why the run did not finish (timeout, stall), or null. */
  failure: string | null;
  hongyan: ProcCounters | null;
  simulatorCpuS: number | null;
}

export function printSqlTiming(file: string): void {
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Array<{
    ms: number;
    calls: number;
    sql: string;
  }>;
  const total = rows.reduce((a, r) => a + r.ms, 0);
  const lines = rows
    .slice(0, 12)
    .map(
      (r) =>
        `  ${fmt(r.ms).padStart(7)} ms ${fmt(r.calls).padStart(7)} calls  ${r.sql.slice(0, 150)}`,
    );
  process.stdout.write(
    `SQLite time inside Hongyan: ${fmt(total)} ms in ${rows.length} distinct statements; top:\n${lines.join('\n')}\n\n`,
  );
}

export const fmt = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export function printResult(r: Result): void {
  const lines = [
    ...(r.failure
      ? [
          `${r.db}: FAILED — ${r.failure}`,
          `  (figures below cover only the messages that did become final)`,
        ]
      : []),
    `${r.db}: ${r.messages} messages in ${fmt(r.wallS, 1)} s (first request → ${r.failure ? 'last progress' : 'all final'})`,
    `  accepted/s ${fmt(r.acceptedPerS)}   submitted/s ${fmt(r.submittedPerS)}   end-to-end/s ${fmt(r.e2ePerS)}`,
    `  latency (done_at − created_at) p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms`,
    `  statuses ${JSON.stringify(r.statuses)} — ${r.allFinal ? 'all final' : 'NOT ALL FINAL'}`,
    `  Hongyan peak RSS ${r.hongyan ? fmt(r.hongyan.peakRss / 2 ** 20) + ' MB' : 'n/a'}, CPU ${r.hongyan ? fmt(r.hongyan.cpuSeconds, 1) + ' s' : 'n/a'}; simulator CPU ${r.simulatorCpuS === null ? 'n/a' : fmt(r.simulatorCpuS, 1) + ' s'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n\n');
}

export function printTable(results: Result[], header: string): void {
  const row = (label: string, f: (r: Result) => string) =>
    `| ${label} | ${results.map(f).join(' | ')} |`;
  const out = [
    `| | ${results.map((r) => r.db).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    row('messages', (r) => fmt(r.messages)),
    row('wall time (s)', (r) => fmt(r.wallS, 1)),
    row('accepted/s', (r) => fmt(r.acceptedPerS)),
    row('submitted/s', (r) => fmt(r.submittedPerS)),
    row('end-to-end msg/s', (r) => fmt(r.e2ePerS)),
    row('latency p50 (ms)', (r) => fmt(r.p50Ms)),
    row('latency p99 (ms)', (r) => fmt(r.p99Ms)),
    row(
      'final statuses',
      (r) =>
        `${Object.entries(r.statuses)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}${r.allFinal ? ' (all final)' : ' (NOT ALL FINAL)'}`,
    ),
    row('Hongyan peak RSS (MB)', (r) => (r.hongyan ? fmt(r.hongyan.peakRss / 2 ** 20) : 'n/a')),
    row('Hongyan CPU (s)', (r) => (r.hongyan ? fmt(r.hongyan.cpuSeconds, 1) : 'n/a')),
    row('simulator CPU (s)', (r) => (r.simulatorCpuS === null ? 'n/a' : fmt(r.simulatorCpuS, 1))),
  ];
  const failures = results.filter((r) => r.failure).map((r) => `\n${r.db} FAILED: ${r.failure}`);
  process.stdout.write(`${header}\n\n${out.join('\n')}\n${failures.join('')}\n`);
}
