// The SMPP driver against the simulator over real loopback sockets: several binds, TLS, slowing
// down when the carrier throttles, data coding per carrier, and stopping with parts in hand.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import selfsigned from 'selfsigned';
import pino from 'pino';
import { SmppChannel } from './smpp-channel.ts';
import type { ChannelEvents, ChannelState, OutboundPart, SubmitOutcome } from './channel.ts';
import { SmscSimulator, type SimulatorOptions } from '../simulator/smsc.ts';
import { validateChannelConfig, type SmppChannelConfig } from '../core/channels/channel-config.ts';
import { splitMessage } from '../core/message/parts.ts';

const log = pino({ level: 'silent' });
const running: Array<{ stop(): Promise<void> }> = [];
after(async () => {
  for (const r of running.reverse()) await r.stop();
});

async function simulator(opts: SimulatorOptions = {}) {
  const sim = new SmscSimulator({ receiptDelayMs: 10, ...opts });
  const { port } = await sim.start();
  running.push(sim);
  const submits: Array<{ sessionId: number; dataCoding: number; shortMessage: Buffer }> = [];
  sim.on('submit', (s) => submits.push(s));
  return { sim, port, submits };
}

function channel(port: number, options: Record<string, unknown> = {}) {
  const states: ChannelState[] = [];
  const receipts: string[] = [];
  const events: ChannelEvents = {
    onReceipt: (r, ack) => {
      receipts.push(r.stat);
      ack();
    },
    onInbound: (_m, ack) => ack(),
    onState: (s) => states.push(s),
  };
  const cfg = validateChannelConfig({
    id: 'test',
    port,
    reconnectMinMs: 50,
    ...options,
  }) as SmppChannelConfig;
  const ch = new SmppChannel(cfg, events, log);
  running.push({ stop: () => ch.stop() });
  return { ch, states, receipts };
}

function part(to: string, text = 'hello'): OutboundPart {
  const split = splitMessage(text, { concatRef: 1, maxParts: 10 });
  const p = split.parts[0]!;
  return {
    messageId: 'msg_test',
    seq: 1,
    to,
    from: null,
    dataCoding: split.dataCoding,
    udh: p.udh,
    userData: p.userData,
    wantReceipt: true,
  };
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SMPP channel driver', () => {
  test('several binds: each binds on its own and submits are spread over them', async () => {
    const { sim, port, submits } = await simulator();
    const { ch } = channel(port, { binds: 3, window: 2 });
    await ch.start();
    await until(() => ch.health().bindsUp === 3, 'three binds');
    assert.equal(sim.stats().sessions, 3);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => ch.submit(part(`+4474001234${10 + i}`))),
    );
    assert.ok(outcomes.every((o) => o.ok));
    assert.equal(new Set(submits.map((s) => s.sessionId)).size, 3, 'all three binds carried parts');
    assert.equal(ch.capacity(), 3 * 2 * 3, 'room for three windows in flight and queued, per bind');
  });

  test('TLS: binds over TLS; an unverifiable certificate is refused unless told otherwise', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
    });
    const { port, submits } = await simulator({ tls: { key: pems.private, cert: pems.cert } });
    const strict = channel(port, { tls: true });
    await strict.ch.start();
    await until(() => strict.states.includes('down'), 'the strict channel to give up a bind');
    assert.notEqual(strict.ch.state(), 'bound', 'a self-signed certificate is not trusted');
    await strict.ch.stop();

    const { ch } = channel(port, { tls: true, tlsInsecure: true });
    await ch.start();
    await until(() => ch.state() === 'bound', 'TLS bind');
    const out = await ch.submit(part('+447400123456'));
    assert.equal(out.ok, true);
    assert.equal(submits.length, 1);
  });

  test('ESME_RTHROTTLED halves the rate; it climbs back when the carrier stops throttling', async () => {
    const { port } = await simulator({ outcomes: [{ match: '0004', submitStatus: 0x58 }] });
    const { ch } = channel(port, { throughput: 1000 });
    await ch.start();
    await until(() => ch.state() === 'bound', 'bind');
    assert.equal(ch.health().rate, 1000);
    const out = await ch.submit(part('+447400120004'));
    assert.deepEqual(
      out.ok ? null : [out.reason, out.code],
      ['throttled', 'ESME_RTHROTTLED'],
      'the part is handed back to be retried later',
    );
    assert.equal(ch.health().rate, 500);
    await until(() => ch.health().rate > 500, 'the rate to recover', 5000);
  });

  test('a carrier that wants IA5 gets ASCII bytes with data_coding 1; other text keeps GSM', async () => {
    const { port, submits } = await simulator();
    const { ch } = channel(port, { defaultDataCoding: 1 });
    await ch.start();
    await until(() => ch.state() === 'bound', 'bind');
    assert.equal((await ch.submit(part('+447400123456', 'Code {42} @ home_'))).ok, true);
    assert.equal((await ch.submit(part('+447400123457', 'Price £5'))).ok, true);
    assert.deepEqual(
      [submits[0]!.dataCoding, submits[0]!.shortMessage.toString('latin1')],
      [1, 'Code {42} @ home_'],
    );
    assert.equal(submits[1]!.dataCoding, 0, '£ is not ASCII: the part stays GSM 03.38');
    assert.equal(submits[1]!.shortMessage[6], 0x01, '£ is 0x01 in GSM 03.38');
  });

  test('stop with drain hands back parts not yet sent at once and waits for those in flight', async () => {
    const { port } = await simulator();
    const { ch } = channel(port, { throughput: 5, window: 1 });
    await ch.start();
    await until(() => ch.state() === 'bound', 'bind');
    const pending: Array<Promise<SubmitOutcome>> = Array.from({ length: 10 }, (_, i) =>
      ch.submit(part(`+4474001234${20 + i}`)),
    );
    await ch.stop({ drain: true });
    const outcomes = await Promise.all(pending);
    const sent = outcomes.filter((o) => o.ok).length;
    const back = outcomes.filter((o) => !o.ok && o.reason === 'temporary').length;
    assert.ok(sent >= 1, 'the parts already with the carrier were answered');
    assert.equal(sent + back, 10, 'every part either sent or handed back to be retried');
    assert.equal(ch.state(), 'stopped');
    const late = await ch.submit(part('+447400123499'));
    assert.deepEqual(late.ok ? null : late.code, 'channel_down');
  });
});
