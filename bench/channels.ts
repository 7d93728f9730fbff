// `npm run bench -- channels [--parts N] [--windows 16,64] [--binds B] [--receipt-delay-ms MS]`
// Throughput of the carrier drivers alone (no database, no HTTP): an SMPP simulator and a CMPP
// simulator run in another process, as in production; this process holds one SmppChannel and one
// CmppChannel and keeps each at capacity() with N single-part UCS-2 parts, counting submit answers
// and receipts. Also the CMPP codec's encode / decode rates. Target: ≥ 10,000 parts/s per channel.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { freePort } from '../test/support/embedded-postgres.ts';
import { mobile, procCounters, sleep, spawnHongyan, waitFor, type Child } from './harness.ts';
import { SmppChannel } from '../src/channels/smpp-channel.ts';
import { CmppChannel } from '../src/channels/cmpp-channel.ts';
import type { ChannelDriver, ChannelEvents, OutboundPart } from '../src/channels/channel.ts';
import {
  validateChannelConfig,
  type CmppChannelConfig,
  type SmppChannelConfig,
} from '../src/core/channels/channel-config.ts';
import { splitMessage } from '../src/core/message/parts.ts';
import {
  CMPP_VERSION_3,
  decode,
  encode,
  encodeMsgId,
  encodeStatusReport,
  parseStatusReport,
  type DeliverPdu,
  type SubmitPdu,
} from '../src/protocols/cmpp/codec.ts';

const { values: args } = parseArgs({
  options: {
    parts: { type: 'string', default: '50000' },
    windows: { type: 'string', default: '16,64' },
    /** Binds per channel (the window is per bind). */
    binds: { type: 'string', default: '1' },
    'receipt-delay-ms': { type: 'string', default: '100' },
    /** Give up on one run after this long. */
    'timeout-s': { type: 'string', default: '120' },
  },
  allowPositionals: true, // `npm run bench -- channels …` may pass the name through
  strict: true,
});
const N = Number(args.parts);
const WINDOWS = String(args.windows)
  .split(',')
  .map((w) => Number(w.trim()));
const RECEIPT_DELAY_MS = Number(args['receipt-delay-ms']);
const BINDS = Number(args.binds);
const TIMEOUT_MS = Number(args['timeout-s']) * 1000;
if (!Number.isInteger(N) || N < 1) throw new Error(`--parts must be a whole number ≥ 1`);
if (WINDOWS.some((w) => !Number.isInteger(w) || w < 1 || w > 1024))
  throw new Error('--windows must be a comma-separated list of windows 1-1024');

const TEXT = '【鸿雁】您的验证码是 123456，5 分钟内有效。';
const say = (msg: string) => process.stderr.write(`[bench:channels] ${msg}\n`);
const quiet = pino({ level: 'warn' });

interface Run {
  channel: string;
  window: number;
  parts: number;
  ok: number;
  failed: Record<string, number>;
  submitS: number;
  receipts: number;
  receiptS: number;
}

async function startSimulator(protocol: 'smpp' | 'cmpp'): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const child = spawnHongyan(
    `${protocol}-simulator`,
    [
      'simulator',
      '--protocol',
      protocol,
      '--port',
      String(port),
      '--receipt-delay-ms',
      String(RECEIPT_DELAY_MS),
    ],
    { HONGYAN_LOG_LEVEL: 'warn' },
  );
  await waitFor(`the ${protocol} simulator`, child, 20_000, async () =>
    child.tail().includes('simulator listening') ? true : undefined,
  );
  return { child, port };
}

async function drive(
  name: string,
  window: number,
  make: (events: ChannelEvents) => ChannelDriver,
): Promise<Run> {
  let receipts = 0;
  let receiptsDone: (() => void) | null = null;
  let expectedReceipts = Infinity;
  const channel = make({
    onReceipt(_r, ack) {
      ack();
      receipts++;
      if (receipts >= expectedReceipts) receiptsDone?.();
    },
    onInbound(_m, ack) {
      ack();
    },
    onState() {},
  });
  await channel.start();
  const bindBy = Date.now() + 10_000;
  while (channel.state() !== 'bound') {
    if (Date.now() > bindBy) throw new Error(`${name} did not bind`);
    await sleep(10);
  }

  const [template] = splitMessage(TEXT, { concatRef: 0 }).parts;
  const part = (i: number): OutboundPart => ({
    messageId: `msg_${i}`,
    seq: 1,
    to: mobile(i),
    from: null,
    dataCoding: 8,
    udh: null,
    userData: template!.userData,
    wantReceipt: true,
  });

  let sent = 0;
  let answered = 0;
  let ok = 0;
  const failed: Record<string, number> = {};
  let wake: (() => void) | null = null;
  const onAnswer = (o: Awaited<ReturnType<ChannelDriver['submit']>>) => {
    answered++;
    if (o.ok) ok++;
    else failed[o.code] = (failed[o.code] ?? 0) + 1;
    const w = wake;
    wake = null;
    w?.();
  };
  const nextAnswer = () => new Promise<void>((r) => (wake = r));

  const started = performance.now();
  const until = Date.now() + TIMEOUT_MS;
  while (answered < N) {
    if (Date.now() > until) throw new Error(`${name} w${window}: timed out (${answered}/${N})`);
    const room = Math.min(channel.capacity(), N - sent);
    for (let k = 0; k < room; k++) void channel.submit(part(sent++)).then(onAnswer);
    if (answered < N) {
      if (channel.state() !== 'bound') await sleep(10);
      else await Promise.race([nextAnswer(), sleep(1000)]);
    }
  }
  const submitS = (performance.now() - started) / 1000;
  expectedReceipts = ok;
  if (receipts < ok)
    await Promise.race([
      new Promise<void>((r) => (receiptsDone = r)),
      sleep(Math.max(5000, RECEIPT_DELAY_MS * 10)),
    ]);
  const receiptS = (performance.now() - started) / 1000;
  await channel.stop({ drain: true });
  return { channel: name, window, parts: N, ok, failed, submitS, receipts, receiptS };
}

function codecRates(): Array<[string, number]> {
  const M = 200_000;
  const submit: SubmitPdu = {
    command: 'submit',
    sequenceId: 1,
    msgId: Buffer.alloc(8),
    pkTotal: 1,
    pkNumber: 1,
    registeredDelivery: 1,
    msgLevel: 0,
    serviceId: 'HONGYAN',
    feeUserType: 0,
    feeTerminalId: '',
    feeTerminalType: 0,
    tpPid: 0,
    tpUdhi: 0,
    msgFmt: 8,
    msgSrc: '901234',
    feeType: '01',
    feeCode: '000000',
    validTime: '',
    atTime: '',
    srcId: '1069001',
    destTerminalIds: ['13800138000'],
    destTerminalType: 0,
    msgContent: Buffer.from(splitMessage(TEXT, { concatRef: 0 }).parts[0]!.userData),
    linkId: '',
  };
  const msgId = encodeMsgId({
    month: 11,
    day: 25,
    hour: 12,
    minute: 0,
    second: 1,
    gateway: 1234,
    sequence: 1,
  });
  const deliver = (): DeliverPdu => ({
    command: 'deliver',
    sequenceId: 2,
    msgId,
    destId: '1069001',
    serviceId: 'HONGYAN',
    tpPid: 0,
    tpUdhi: 0,
    msgFmt: 0,
    srcTerminalId: '13800138000',
    srcTerminalType: 0,
    registeredDelivery: 1,
    msgContent: encodeStatusReport(
      {
        msgId,
        stat: 'DELIVRD',
        submitTime: '2611251200',
        doneTime: '2611251201',
        destTerminalId: '13800138000',
        smscSequence: 1,
      },
      CMPP_VERSION_3,
    ),
    linkId: '',
  });
  const rate = (fn: () => void): number => {
    for (let i = 0; i < 10_000; i++) fn(); // warm up
    const t = performance.now();
    for (let i = 0; i < M; i++) fn();
    return M / ((performance.now() - t) / 1000);
  };
  const submitFrame = encode(submit, CMPP_VERSION_3);
  const deliverFrame = encode(deliver(), CMPP_VERSION_3);
  return [
    ['encode SUBMIT (3.0)', rate(() => encode(submit, CMPP_VERSION_3))],
    ['decode SUBMIT (3.0)', rate(() => decode(submitFrame, CMPP_VERSION_3))],
    ['encode DELIVER status report', rate(() => encode(deliver(), CMPP_VERSION_3))],
    [
      'decode DELIVER status report',
      rate(() => {
        const d = decode(deliverFrame, CMPP_VERSION_3) as DeliverPdu;
        parseStatusReport(d.msgContent, CMPP_VERSION_3);
      }),
    ],
  ];
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

const sims: Child[] = [];
try {
  say(`starting simulators (receipt delay ${RECEIPT_DELAY_MS} ms)`);
  const smpp = await startSimulator('smpp');
  sims.push(smpp.child);
  const cmpp = await startSimulator('cmpp');
  sims.push(cmpp.child);
  const runs: Run[] = [];
  for (const window of WINDOWS) {
    const common = {
      host: '127.0.0.1',
      window,
      binds: BINDS,
      throughput: 1_000_000,
      responseTimeoutSeconds: 30,
      enquireLinkSeconds: 30,
    };
    say(`smpp window ${window}: ${N} parts`);
    runs.push(
      await drive('smpp', window, (events) => {
        const cfg = validateChannelConfig({
          ...common,
          kind: 'smpp',
          id: 'bench-smpp',
          port: smpp.port,
        }) as SmppChannelConfig;
        return new SmppChannel(cfg, events, quiet);
      }),
    );
    say(`cmpp window ${window}: ${N} parts`);
    runs.push(
      await drive('cmpp 3.0', window, (events) => {
        const cfg = validateChannelConfig({
          ...common,
          kind: 'cmpp',
          id: 'bench-cmpp',
          port: cmpp.port,
        }) as CmppChannelConfig;
        return new CmppChannel(cfg, events, quiet);
      }),
    );
  }
  const simCpu = sims.map(
    (c) => `${c.name} ${procCounters(c.pid)?.cpuSeconds.toFixed(1) ?? '?'} s`,
  );

  const rows = runs.map((r) => [
    r.channel,
    String(r.window),
    fmt(r.parts),
    fmt(r.ok / r.submitS),
    fmt(r.receipts / r.receiptS),
    `${r.receipts}/${r.ok}`,
    Object.entries(r.failed)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ') || '-',
  ]);
  const head = ['channel', 'window', 'parts', 'submitted/s', 'receipted/s', 'receipts', 'failed'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    '| ' +
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') +
    ' |';
  const out = [
    '',
    `Channel drivers, single-part UCS-2, receipt delay ${RECEIPT_DELAY_MS} ms, ${BINDS} bind(s), simulators in another process`,
    '',
    line(head),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...rows.map(line),
    '',
    `simulator CPU: ${simCpu.join(', ')}`,
    '',
    'CMPP codec (this process):',
    ...codecRates().map(([what, r]) => `  ${what.padEnd(30)} ${fmt(r).padStart(12)} PDUs/s`),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
  const short = runs.filter((r) => r.ok / r.submitS < 10_000);
  if (short.length > 0)
    say(`below 10,000 parts/s: ${short.map((r) => `${r.channel} w${r.window}`).join(', ')}`);
} finally {
  for (const c of sims) await c.stop();
}
