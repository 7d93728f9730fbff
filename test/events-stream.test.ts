// The live event stream end to end, on both databases: a real HTTP client reads
// GET /v1/events/stream, sees its messages' status changes in order (and nobody else's),
// disconnects, resumes with Last-Event-ID and gets exactly what came after; bad resume points,
// the per-tenant cap, sessions and heartbeats.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { GOOD_PASSWORD, operatorAdmin, registerCompany } from './support/people.ts';
import { newId } from '../src/core/ids.ts';

interface SseEvent {
  id: number;
  event: string;
  data: any;
}

/** A Server-Sent Events reader over fetch: collects events and comments until closed. */
async function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  if (res.status !== 200 || !res.body) {
    const body: any = await res.json();
    return { status: res.status, headers: res.headers, body, events, comments, close() {} };
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const e: Partial<SseEvent> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) e.id = Number(line.slice(4));
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
          }
          if (e.id !== undefined) events.push(e as SseEvent);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    body: null as any,
    events,
    comments,
    close() {
      abort.abort();
      return reading;
    },
  };
}

const FINAL = new Set(['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'unknown']);
let numbers = 0;
const mobile = () => `1390024${String(1010 + numbers++).padStart(4, '0')}`;

for (const database of databases) {
  describe(`live event stream on ${database.dialect}`, () => {
    let t: TestPlatform;
    let a: Awaited<ReturnType<typeof registerCompany>>;
    let b: Awaited<ReturnType<typeof registerCompany>>;
    const streams: Array<{ close(): unknown }> = [];
    const stream = async (key: string, extra: Record<string, string> = {}, query = '') => {
      const s = await openStream(`${t.url}/v1/events/stream${query}`, {
        authorization: `Bearer ${key}`,
        ...extra,
      });
      streams.push(s);
      return s;
    };
    const send = async (key: string, to: string[]) => {
      const r = await t.api('/v1/messages', { key, body: { to, text: 'stream me' } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return r.body.messages.map((m: any) => m.id as string);
    };
    /** Tenant A's events after `after`, from the database: what a stream must show. */
    const eventsAfter = async (tenantId: string, from: number) =>
      (
        await t.platform.store.db
          .selectFrom('message_events')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '>', from)
          .orderBy('id')
          .execute()
      ).map((r) => Number(r.id));
    const finalIn = (events: SseEvent[], ids: string[]) =>
      ids.every((id) =>
        events.some((e) => e.data.data.messageId === id && FINAL.has(e.data.data.status)),
      );

    before(async () => {
      t = await startTestPlatform(database, {
        stream: { maxPerTenant: 3, heartbeatSeconds: 0.2, pollMs: 50 },
      });
      const admin = await operatorAdmin(t, `stream-${database.dialect}@operator.test`);
      a = await registerCompany(t, `streama-${database.dialect}`);
      b = await registerCompany(t, `streamb-${database.dialect}`);
      for (const c of [a, b]) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
          body: { amount: '100', reference: `stream-${c.tenantId}` },
        });
      }
    });
    after(async () => {
      // One stream is still open: stopping must not wait for it.
      await t.stop();
      for (const s of streams) await s.close();
    });

    test('status changes in order, only my own; resume with Last-Event-ID gets exactly the rest', async () => {
      const sa = await stream(a.key);
      const sb = await stream(b.key);
      assert.equal(sa.status, 200);
      assert.match(sa.headers.get('content-type') ?? '', /^text\/event-stream/);
      await waitFor(() => sa.comments.length > 0, 5000, 'the opening comment');
      const start = Number(/^streaming events after (\d+)$/.exec(sa.comments[0]!)?.[1]);
      assert.ok(Number.isInteger(start));

      const mine = await send(a.key, [mobile(), mobile(), mobile(), '13900240001']);
      const theirs = await send(b.key, [mobile()]);
      await waitFor(() => finalIn(sa.events, mine), 10_000, "A's messages final on A's stream");
      await waitFor(() => finalIn(sb.events, theirs), 10_000, "B's message on B's stream");

      const ids = sa.events.map((e) => e.id);
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
        'ids increase',
      );
      assert.deepEqual(ids, await eventsAfter(a.tenantId, start), 'every event of A, once');
      for (const e of sa.events) {
        assert.equal(e.event, 'message.status');
        assert.equal(e.data.type, e.event);
        assert.equal(e.data.id, `evt_${e.id}`);
        assert.ok(mine.includes(e.data.data.messageId), 'only my own messages');
      }
      for (const id of mine) {
        const statuses = sa.events
          .filter((e) => e.data.data.messageId === id)
          .map((e) => e.data.data.status);
        const expected =
          id === mine[3] ? ['queued', 'failed'] : ['queued', 'submitted', 'delivered'];
        assert.deepEqual(statuses, expected, id);
      }
      const failed = sa.events.find((e) => e.data.data.status === 'failed')!;
      assert.equal(failed.data.data.error.code, 'ESME_RSUBMITFAIL');
      assert.ok(sb.events.every((e) => theirs.includes(e.data.data.messageId)));

      // Disconnect; more happens meanwhile; resume.
      const last = ids[ids.length - 1]!;
      await sa.close();
      const later = await send(a.key, [mobile(), mobile()]);
      for (const id of later)
        await waitFor(
          async () => FINAL.has((await t.api(`/v1/messages/${id}`, { key: a.key })).body.status),
          10_000,
          `${id} final`,
        );
      // An inbound message for A, as inbound routing records it.
      const inb = newId('inb');
      await t.platform.store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('inbound_messages')
          .values({
            id: inb,
            channel_id: 'sim',
            from: '+8613900241234',
            to: '1069000034',
            text: '收到',
            tenant_id: a.tenantId,
            received_at: Date.now(),
          })
          .execute();
        await trx
          .insertInto('message_events')
          .values({
            message_id: inb,
            tenant_id: a.tenantId,
            status: 'inbound',
            detail: null,
            created_at: Date.now(),
          })
          .execute();
      });
      const expected = await eventsAfter(a.tenantId, last);
      const resumed = await stream(a.key, { 'last-event-id': String(last) });
      await waitFor(
        () => resumed.events.length >= expected.length,
        10_000,
        'the events missed while away',
      );
      assert.deepEqual(
        resumed.events.map((e) => e.id),
        expected,
        'exactly the events after Last-Event-ID',
      );
      const inbound = resumed.events.find((e) => e.event === 'inbound.received')!;
      assert.deepEqual(inbound.data.data, {
        id: inb,
        from: '+8613900241234',
        to: '1069000034',
        text: '收到',
        receivedAt: inbound.data.data.receivedAt,
      });
      assert.ok(finalIn(resumed.events, later));
      await resumed.close();

      // ?lastEventId= works the same (for clients that cannot set headers).
      const viaQuery = await stream(a.key, {}, `?lastEventId=${start}`);
      const all = await eventsAfter(a.tenantId, start);
      await waitFor(() => viaQuery.events.length >= all.length, 10_000, 'the replay');
      assert.deepEqual(
        viaQuery.events.map((e) => e.id),
        all,
      );
      await viaQuery.close();
      await sb.close();
    });

    test('bad resume points, no key, no read scope: refused; at most 3 streams per account; sessions; heartbeats', async () => {
      for (const [headers, query] of [
        [{ 'last-event-id': 'abc' }, ''],
        [{ 'last-event-id': '-1' }, ''],
        [{}, '?lastEventId=1.5'],
        [{}, '?from=now'],
      ] as const) {
        const s = await stream(a.key, headers, query);
        assert.deepEqual(
          [s.status, s.body?.code],
          [400, 'invalid_request'],
          JSON.stringify([headers, query]),
        );
      }
      const anonymous = await openStream(`${t.url}/v1/events/stream`, {});
      assert.equal(anonymous.status, 401);
      const sendOnly = await a.owner.call('/v1/api-keys', {
        body: { name: 'send-only', scopes: ['send'] },
      });
      const forbidden = await stream(sendOnly.body.key);
      assert.deepEqual([forbidden.status, forbidden.body?.code], [403, 'forbidden']);

      const open = [await stream(a.key), await stream(a.key), await stream(a.key)];
      assert.deepEqual(
        open.map((s) => s.status),
        [200, 200, 200],
      );
      const fourth = await stream(a.key);
      assert.deepEqual([fourth.status, fourth.body?.code], [429, 'rate_limited']);
      assert.equal(fourth.headers.get('retry-after'), '5');
      assert.equal((await stream(b.key)).status, 200, 'the cap is per account');
      await waitFor(() => open[0]!.comments.includes('heartbeat'), 5000, 'a heartbeat');
      // A closed stream frees its place.
      await open[0]!.close();
      let again: Awaited<ReturnType<typeof stream>> | null = null;
      await waitFor(
        async () => {
          const s = await stream(a.key);
          if (s.status === 200) again = s;
          return s.status === 200;
        },
        5000,
        'a place after a disconnect',
      );
      assert.ok(again);
      for (const s of [open[1]!, open[2]!, again!]) await s.close();

      // A person logged in to the console streams with the session cookie.
      const login = await fetch(`${t.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: a.email, password: GOOD_PASSWORD }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const viaSession = await openStream(`${t.url}/v1/events/stream`, { cookie });
      streams.push(viaSession);
      assert.equal(viaSession.status, 200);
      // Left open on purpose: the platform must stop anyway.
    });
  });
}
