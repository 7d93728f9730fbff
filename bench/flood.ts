// `npm run bench:flood -- [--db sqlite|postgres|both] [--flooders 8] [--seconds 15]`
// One tenant floods the node with 10,000-recipient requests while another tenant sends single
// messages one after another and a monitor calls GET /health: prints their latency (p50/p99/max),
// the event-loop lag and what the flood got (202 / 429). In-process, like the tests (issue 11).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { databases } from '../test/support/databases.ts';
import { startTestPlatform } from '../test/support/platform.ts';
import { operatorAdmin, registerCompany } from '../test/support/people.ts';
import { percentile } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    flooders: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '15' },
  },
  strict: true,
});
const flooders = Number(args.flooders);
const seconds = Number(args.seconds);
const TEXT = '【鸿雁】您的验证码是 123456，5 分钟内有效。';

for (const database of databases.filter((d) => args.db === 'both' || d.dialect === args.db)) {
  const t = await startTestPlatform(database, {
    demo: { openingBalance: '100000000' },
    limits: {
      keyPerSecond: 10_000,
      keyBurst: 10_000,
      tenantPerSecond: 10_000,
      tenantBurst: 10_000,
    },
  });
  const admin = await operatorAdmin(t, `bench-${database.dialect}@operator.test`);
  const b = await registerCompany(t, `benchb-${database.dialect}`);
  await admin.call(`/v1/admin/tenants/${b.tenantId}/status`, {
    body: { status: 'active', reason: 'ok' },
  });
  await admin.call(`/v1/admin/tenants/${b.tenantId}/recharges`, {
    body: { amount: '1000', reference: 'bench' },
  });
  const until = Date.now() + seconds * 1000;
  const flood = { accepted: 0, limited: 0, other: 0 };
  let base = 0;
  const flooder = async () => {
    while (Date.now() < until) {
      const to = Array.from({ length: 10_000 }, () => `139${String(base++).padStart(8, '0')}`);
      const r = await t.api('/v1/messages', { body: { to, text: TEXT } });
      if (r.status === 202) flood.accepted += r.body.messages.length;
      else if (r.status === 429) {
        flood.limited++;
        await new Promise((res) => setTimeout(res, 50));
      } else flood.other++;
    }
  };
  const sends: number[] = [];
  const health: number[] = [];
  const timed = async (into: number[], f: () => Promise<unknown>) => {
    while (Date.now() < until) {
      const t0 = performance.now();
      await f();
      into.push(performance.now() - t0);
    }
  };
  let i = 0;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  await Promise.all([
    ...Array.from({ length: flooders }, flooder),
    timed(sends, () =>
      t.api('/v1/messages', {
        key: b.key,
        body: { to: `136${String(i++).padStart(8, '0')}`, text: `验证码 ${i}` },
      }),
    ),
    timed(health, () => t.api('/health', { key: null })),
  ]);
  lag.disable();
  const fmt = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `n=${s.length} p50 ${Math.round(percentile(s, 50))} ms, p99 ${Math.round(percentile(s, 99))} ms, max ${Math.round(s[s.length - 1] ?? 0)} ms`;
  };
  console.log(`\n${database.dialect}: ${flooders} flooders × 10,000 recipients for ${seconds} s`);
  console.log(`  other tenant's single send  ${fmt(sends)}`);
  console.log(`  GET /health                 ${fmt(health)}`);
  console.log(
    `  event-loop lag              p99 ${Math.round(lag.percentile(99) / 1e6)} ms, max ${Math.round(lag.max / 1e6)} ms`,
  );
  console.log(
    `  flood                       ${flood.accepted} messages accepted (${Math.round(flood.accepted / seconds)}/s), ${flood.limited} × 429, ${flood.other} other`,
  );
  await t.stop();
}
process.exit(0);
