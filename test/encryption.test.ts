// Encryption at rest: message bodies and second-factor secrets are sealed in the database,
// bound to their row, and readable across key rotation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { databases, tempDir } from './support/databases.ts';
import { startTestPlatform, waitFinal, type TestPlatform } from './support/platform.ts';
import { keyringCipher, loadKeyring } from '../src/security/body-cipher.ts';
import { parseKeyring } from '../src/security/secret-box.ts';
import { MessageStore } from '../src/store/messages.ts';
import type { NewMessage } from '../src/store/message-rows.ts';
import { TenantStore } from '../src/store/tenants.ts';
import { UserStore } from '../src/store/users.ts';
import { newId } from '../src/core/ids.ts';
import type { SubmitEvent } from '../src/simulator/smsc.ts';

const k = () => randomBytes(32).toString('base64');
const K1 = `k1:${k()}`;
const K2 = `k2:${k()}`;

for (const database of databases) {
  describe(`encryption at rest on ${database.dialect}`, () => {
    let t: TestPlatform;
    const submits: SubmitEvent[] = [];
    before(async () => {
      t = await startTestPlatform(database, { security: { encryptionKeys: K1 } });
      t.platform.simulator!.on('submit', (e) => submits.push(e));
    });
    after(() => t.stop());

    test('a body is sealed in the database and still reaches the carrier intact', async () => {
      const text = '【鸿雁】您的验证码是 246810 🔐';
      const r = await t.api('/v1/messages', { body: { to: '13800138123', text } });
      const id = r.body.messages[0].id;
      const row = await t.platform.store.db
        .selectFrom('messages')
        .select(['text', 'text_key_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.text_key_id, 'k1');
      assert.ok(!row.text.includes('246810'), 'no plaintext in the row');
      assert.equal((await waitFinal(t, id)).status, 'delivered');
      assert.equal(submits.find((s) => s.destinationAddr === '8613800138123')?.text, text);
    });

    test('a sealed body cannot be moved to another row', async () => {
      const db = t.platform.store.db;
      const tenantId = t.platform.demo!.tenantId;
      const ring = parseKeyring(K1);
      const store = new MessageStore(db, t.platform.store.dialect, keyringCipher(ring));
      const make = (to: string): NewMessage => ({
        id: newId('msg'),
        tenantId,
        batchId: 'bat_x',
        clientRef: null,
        to,
        text: `body for ${to}`,
        encoding: 'gsm7',
        parts: 1,
        concatRef: 1,
        createdAt: Date.now() + 3_600_000,
      });
      const a = make('+8613800000011');
      const b = make('+8613800000012');
      await store.insertAccepted([a, b]);
      assert.deepEqual([...(await store.texts(tenantId, [a.id, b.id])).values()].sort(), [
        'body for +8613800000011',
        'body for +8613800000012',
      ]);
      const sealedA = await db
        .selectFrom('messages')
        .select('text')
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow();
      await db.updateTable('messages').set({ text: sealedA.text }).where('id', '=', b.id).execute();
      await assert.rejects(store.texts(tenantId, [b.id]), /could not be decrypted|authenticat/i);
    });
  });
}

describe('key rotation and sealed second-factor secrets', () => {
  test('rows sealed with an old key open after rotation; without that key they do not', async () => {
    const { store } = await databases[0]!.open();
    try {
      const tenant = await new TenantStore(store.db).create({ name: 'rot' });
      const m = (text: string): NewMessage => ({
        id: newId('msg'),
        tenantId: tenant.id,
        batchId: 'bat_r',
        clientRef: null,
        to: '+8613800000021',
        text,
        encoding: 'gsm7',
        parts: 1,
        concatRef: 1,
        createdAt: Date.now(),
      });
      const old = m('sealed with k1');
      await new MessageStore(
        store.db,
        store.dialect,
        keyringCipher(parseKeyring(K1)),
      ).insertAccepted([old]);
      const rotated = new MessageStore(
        store.db,
        store.dialect,
        keyringCipher(parseKeyring(`${K2},${K1}`)),
      );
      const fresh = m('sealed with k2');
      await rotated.insertAccepted([fresh]);
      const keys = await store.db.selectFrom('messages').select(['id', 'text_key_id']).execute();
      assert.deepEqual(Object.fromEntries(keys.map((r) => [r.id, r.text_key_id])), {
        [old.id]: 'k1',
        [fresh.id]: 'k2',
      });
      const texts = await rotated.texts(tenant.id, [old.id, fresh.id]);
      assert.equal(texts.get(old.id), 'sealed with k1');
      assert.equal(texts.get(fresh.id), 'sealed with k2');
      const k2only = new MessageStore(store.db, store.dialect, keyringCipher(parseKeyring(K2)));
      await assert.rejects(k2only.texts(tenant.id, [old.id]), /k1/);

      const users = new UserStore(store.db, keyringCipher(parseKeyring(K1)));
      const u = await users.create({
        tenantId: tenant.id,
        email: 'totp@rot.test',
        name: 'T',
        role: 'owner',
        passwordHash: 'x',
      });
      await users.setTotp(u.id, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', true);
      const raw = await store.db
        .selectFrom('users')
        .select('totp_secret')
        .where('id', '=', u.id)
        .executeTakeFirstOrThrow();
      assert.match(raw.totp_secret!, /^k1:/);
      assert.ok(!raw.totp_secret!.includes('GEZDGNBV'));
      assert.equal((await users.byId(u.id))?.totpSecret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    } finally {
      await store.close();
    }
  });

  test('on the embedded default a key is generated once into the data dir (0600) and reused', () => {
    const dir = tempDir();
    const first = loadKeyring(null, { dataDir: dir, embedded: true });
    assert.equal(first.source, 'generated');
    assert.equal(statSync(join(dir, 'encryption-keys')).mode & 0o777, 0o600);
    const again = loadKeyring(null, { dataDir: dir, embedded: true });
    assert.equal(again.source, 'data-dir');
    assert.equal(again.keyring!.currentKeyId, first.keyring!.currentKeyId);
    assert.deepEqual(loadKeyring(null, { dataDir: dir, embedded: false }), {
      keyring: null,
      source: 'none',
    });
    assert.throws(() => loadKeyring('k1:tooshort', { dataDir: dir, embedded: true }));
  });
});
