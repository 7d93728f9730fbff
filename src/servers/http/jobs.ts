// The schedule of periodic jobs, read-only for the operator's staff (docs/architecture.md,
// "Periodic jobs"). Any node can answer: the schedule is in the database.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ScheduledJob, ScheduledJobStore } from '../../services/repositories.ts';
import { iso } from './wire.ts';

const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const Job = Type.Object({
  name: Type.String(),
  periodSeconds: Type.Number(),
  nextDueAt: Type.String({ format: 'date-time' }),
  running: Type.Union([Type.Object({ node: Type.String(), leaseUntil: Time }), Type.Null()]),
  lastRunAt: Time,
  lastFinishedAt: Time,
  lastNode: Type.Union([Type.String(), Type.Null()]),
  lastResult: Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastSummary: Type.Unknown({ description: 'What the last run did (counts), per job' }),
  runs: Type.Integer(),
  failuresInARow: Type.Integer(),
});

function view(j: ScheduledJob) {
  return {
    name: j.name,
    periodSeconds: j.periodMs / 1000,
    nextDueAt: iso(j.dueAt)!,
    running: j.lockedBy ? { node: j.lockedBy, leaseUntil: iso(j.leaseUntil) } : null,
    lastRunAt: iso(j.lastStartedAt),
    lastFinishedAt: iso(j.lastFinishedAt),
    lastNode: j.lastNode,
    lastResult: j.lastResult,
    lastError: j.lastError,
    lastSummary: j.lastSummary,
    runs: j.runs,
    failuresInARow: j.failures,
  };
}

export function jobRoutes(app: FastifyInstance, deps: { jobs: ScheduledJobStore }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/admin/jobs',
    {
      config: { access: 'admin.tenants.read' },
      schema: {
        summary:
          'Periodic jobs (contracts, statements, low balance, sweeps …): period, last run and its result, next due',
        tags: ['admin'],
        response: { 200: Type.Object({ data: Type.Array(Job) }) },
      },
    },
    async () => ({ data: (await deps.jobs.list()).map(view) }),
  );
}
