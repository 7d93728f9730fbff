// Low-balance alerts through the one notification service: email to a real (local) SMTP server,
// SMS through Hongyan itself from the operator's account, each recorded; once per crossing.
// Every notice is in the tenant's language: zh-CN unless the tenant (or the operator) chose en.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from './support/databases.ts';
import { header, startMailbox, type Mailbox } from './support/mailbox.ts';
import { startTestPlatform, waitFor, type TestPlatform } from './support/platform.ts';
import { operatorAdmin, registerCompany } from './support/people.ts';
import { OPERATOR_TENANT_ID } from '../src/platform.ts';

const DAY = 24 * 3600_000;

for (const database of databases) {
  describe(`low-balance notifications on ${database.dialect}`, () => {
    let t: TestPlatform;
    let mailbox: Mailbox;
    let mails: Mailbox['mails'];

    before(async () => {
      mailbox = await startMailbox();
      mails = mailbox.mails;
      t = await startTestPlatform(database, {
        notifications: { smtp: mailbox.smtp },
      });
    });
    after(async () => {
      await t.stop();
      await mailbox.close();
    });

    test('crossing below the threshold notifies once by email and SMS, in Chinese by default; a recharge re-arms it', async () => {
      const admin = await operatorAdmin(t, `notify-${database.dialect}@operator.test`);
      const c = await registerCompany(t, `lowco-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '1', reference: 'p1' },
      });
      assert.equal((await c.owner.call('/v1/account')).body.locale, 'zh-CN', 'the default');
      const bad = await c.owner.call('/v1/account/low-balance-threshold', {
        method: 'PUT',
        body: { threshold: '-1' },
      });
      assert.deepEqual([bad.status, bad.body.field], [422, 'threshold']);
      assert.equal(
        (
          await c.owner.call('/v1/account/low-balance-threshold', {
            method: 'PUT',
            body: { threshold: '0.5' },
          })
        ).status,
        204,
      );
      // The threshold in force is read back with the balance (the console's billing overview).
      assert.deepEqual((await c.owner.call('/v1/balance')).body.lowBalanceThreshold, {
        amount: '0.5000',
        currency: 'CNY',
      });
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), []);

      const sent = await t.api('/v1/messages', {
        key: c.key,
        body: {
          to: Array.from({ length: 12 }, (_, i) => `+861380013${String(8100 + i)}`),
          text: 'spend',
        },
      });
      assert.equal(sent.status, 202);
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), [c.tenantId]);
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), [], 'once per crossing');

      const subject = '短信余额不足';
      const text =
        '您的可用余额为 0.4600 CNY，已低于您设置的提醒阈值 0.5000 CNY。请及时充值，以免影响发送。';
      await waitFor(() => mails.some((m) => m.to.includes(c.email)), 5000, 'the email');
      const mail = mails.find((m) => m.to.includes(c.email))!;
      assert.equal(header(mail, 'Subject'), subject);
      assert.equal(header(mail, 'Content-Language'), 'zh-CN');
      const sms = await t.platform.store.db
        .selectFrom('messages')
        .select(['to', 'billing'])
        .where('tenant_id', '=', OPERATOR_TENANT_ID)
        .execute();
      assert.deepEqual(
        sms.map((m) => [m.to, m.billing]),
        [['+8613800138000', 'free']],
      );
      // What the contact's phone got, as the operator reads it.
      const smsText = (
        await admin.call(`/v1/admin/tenants/${OPERATOR_TENANT_ID}/messages?bodies=true`)
      ).body.data[0].text;
      assert.ok(smsText.includes(`${subject}：${text}`), smsText);
      const notices = (await t.api('/v1/notifications', { key: c.key })).body.data;
      assert.deepEqual(
        notices.map((n: any) => [n.kind, n.channel, n.status, n.subject, n.text]).sort(),
        [
          ['low_balance', 'email', 'sent', subject, text],
          ['low_balance', 'sms', 'sent', subject, text],
        ],
      );

      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '1', reference: 'p2' },
      });
      assert.deepEqual(
        await t.platform.jobs.checkLowBalances(),
        [],
        'rising above re-arms without a notice',
      );
      await t.api('/v1/messages', {
        key: c.key,
        body: {
          to: Array.from({ length: 25 }, (_, i) => `+861390013${String(8100 + i)}`),
          text: 'spend more',
        },
      });
      assert.deepEqual(
        await t.platform.jobs.checkLowBalances(),
        [c.tenantId],
        'the next crossing notifies again',
      );
    });

    test('a tenant that chose English gets its notice in English', async () => {
      const admin = await operatorAdmin(t, `notify-en-${database.dialect}@operator.test`);
      const c = await registerCompany(t, `lowco-en-${database.dialect}`);
      await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
        body: { status: 'active', reason: 'ok' },
      });
      await admin.call(`/v1/admin/tenants/${c.tenantId}/recharges`, {
        body: { amount: '1', reference: 'p1' },
      });
      const wrong = await c.owner.call('/v1/account/locale', {
        method: 'PUT',
        body: { locale: 'fr' },
      });
      assert.deepEqual([wrong.status, wrong.body.code], [400, 'invalid_request']);
      assert.equal(
        (await c.owner.call('/v1/account/locale', { method: 'PUT', body: { locale: 'en' } }))
          .status,
        204,
      );
      assert.equal((await c.owner.call('/v1/account')).body.locale, 'en');
      assert.equal((await admin.call(`/v1/admin/tenants/${c.tenantId}`)).body.locale, 'en');
      const audit = (await c.owner.call('/v1/audit?action=account.locale_set')).body.data;
      assert.deepEqual(audit[0].details, { locale: 'en' });
      await c.owner.call('/v1/account/low-balance-threshold', {
        method: 'PUT',
        body: { threshold: '0.5' },
      });
      await t.api('/v1/messages', {
        key: c.key,
        body: {
          to: Array.from({ length: 12 }, (_, i) => `+861370013${String(8100 + i)}`),
          text: 'spend',
        },
      });
      assert.deepEqual(await t.platform.jobs.checkLowBalances(), [c.tenantId]);
      await waitFor(() => mails.some((m) => m.to.includes(c.email)), 5000, 'the email');
      const mail = mails.find((m) => m.to.includes(c.email))!;
      assert.match(mail.data, /Subject: Low SMS balance/);
      assert.equal(header(mail, 'Content-Language'), 'en');
      const notices = (await t.api('/v1/notifications', { key: c.key })).body.data;
      assert.deepEqual(
        notices.map((n: any) => [n.channel, n.subject, n.text]).sort(),
        ['email', 'sms'].map((channel) => [
          channel,
          'Low SMS balance',
          'Your available balance is 0.4600 CNY, below your alert threshold of 0.5000 CNY. Recharge to keep sending.',
        ]),
      );
    });

    test('contract reminders: in Chinese by default, in English for a tenant the operator set to en', async () => {
      const admin = await operatorAdmin(t, `notify-contract-${database.dialect}@operator.test`);
      const zh = await registerCompany(t, `contract-zh-${database.dialect}`);
      const en = await registerCompany(t, `contract-en-${database.dialect}`);
      const local = (at: number) => new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
      const now = Date.now();
      const end = local(now + 40 * DAY);
      for (const [c, autoRenew] of [
        [zh, false],
        [en, true],
      ] as const) {
        await admin.call(`/v1/admin/tenants/${c.tenantId}/status`, {
          body: { status: 'active', reason: 'ok' },
        });
        const signed = await admin.call(`/v1/admin/tenants/${c.tenantId}/contracts`, {
          body: {
            number: `N-${c.tenantId}`,
            startDate: local(now - DAY),
            endDate: end,
            autoRenew,
            ...(autoRenew ? { renewMonths: 12 } : {}),
          },
        });
        assert.equal(signed.status, 201, JSON.stringify(signed.body));
      }
      const unknown = await admin.call(`/v1/admin/tenants/ten_nobody/locale`, {
        method: 'PUT',
        body: { locale: 'en' },
      });
      assert.equal(unknown.status, 404);
      assert.equal(
        (
          await admin.call(`/v1/admin/tenants/${en.tenantId}/locale`, {
            method: 'PUT',
            body: { locale: 'en' },
          })
        ).status,
        204,
      );
      assert.equal((await en.owner.call('/v1/account')).body.locale, 'en');

      const until = Date.parse(`${end}T00:00:00+08:00`) + DAY;
      await t.platform.jobs.runContracts(until - 6 * DAY);
      const reminder = async (c: typeof zh) =>
        (await t.api('/v1/notifications?kind=contract_expiring', { key: c.key })).body.data.find(
          (n: any) => n.channel === 'email',
        );
      const zhNotice = await reminder(zh);
      assert.deepEqual(
        [zhNotice.subject, zhNotice.text],
        [
          `合同 N-${zh.tenantId} 将于 7 天后到期`,
          `您的短信服务合同 N-${zh.tenantId} 将于 ${end} 到期。请在此之前续签，以免之后无法发送短信。`,
        ],
      );
      const enNotice = await reminder(en);
      assert.deepEqual(
        [enNotice.subject, enNotice.text],
        [
          `Contract N-${en.tenantId} ends in 7 days`,
          `Your SMS service contract N-${en.tenantId} ends on ${end}. It renews automatically for 12 months.`,
        ],
      );
      await waitFor(
        () =>
          mails.some((m) => m.to.includes(zh.email) && header(m, 'Subject')?.startsWith('合同')),
        5000,
        'the Chinese reminder email',
      );
    });
  });
}
