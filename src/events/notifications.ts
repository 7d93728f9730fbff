// One way to tell a tenant something (low balance, contract reminders, incidents): email to the
// contact through SMTP, SMS through Hongyan itself from the operator's own account. Every delivery
// attempt is recorded, including those skipped because a channel is not configured. A notice is
// written in the tenant's language (tenants.locale, core/i18n), and recorded as it was sent.
import nodemailer, { type Transporter } from 'nodemailer';
import {
  DEFAULT_LOCALE,
  isLocale,
  translate,
  type Locale,
  type MessageKey,
  type MessageParams,
} from '../core/i18n/index.ts';
import type { Kysely } from 'kysely';
import type { Logger } from '../logger.ts';
import type { Config } from '../config.ts';
import type { Database } from '../store/schema.ts';

export type SmtpSettings = NonNullable<Config['notifications']['smtp']>;

export type SendSms = (to: string, text: string) => Promise<string>;

/** A catalog entry and its values: said in the language of whoever reads it. */
export interface NoticeText {
  key: MessageKey;
  params?: MessageParams;
}

export interface Notice {
  tenantId: string;
  kind: string;
  subject: NoticeText;
  text: NoticeText;
}

/** A notice as one tenant reads it. */
interface Written {
  tenantId: string;
  kind: string;
  locale: Locale;
  subject: string;
  text: string;
}

export class Notifier {
  #mail: Transporter | null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly smtp: SmtpSettings | null,
    private readonly sms: SendSms | null,
    private readonly log: Logger,
  ) {
    this.#mail = smtp
      ? nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          // Plain SMTP to a local relay when not `secure`; STARTTLS is used when offered.
          ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
          // A silent server fails the send well within an announcement email's 10-minute lease
          // (services/announcements.ts); nodemailer's defaults are 2 min, 30 s and 10 min.
          connectionTimeout: 15_000,
          greetingTimeout: 15_000,
          socketTimeout: 60_000,
        })
      : null;
  }

  async notify(notice: Notice): Promise<void> {
    const t = await this.db
      .selectFrom('tenants')
      .select(['contact_email', 'contact_phone', 'name', 'locale'])
      .where('id', '=', notice.tenantId)
      .executeTakeFirst();
    const locale = isLocale(t?.locale) ? t.locale : DEFAULT_LOCALE;
    const say = (m: NoticeText) => translate(locale, m.key, m.params);
    const n: Written = {
      tenantId: notice.tenantId,
      kind: notice.kind,
      locale,
      subject: say(notice.subject),
      text: say(notice.text),
    };
    await this.#deliver(n, 'email', t?.contact_email ?? null, async (to) => {
      if (!this.#mail || !this.smtp)
        return { status: 'skipped', detail: say({ key: 'notice.skipped.no_smtp' }) };
      const info = await this.#mail.sendMail({
        from: this.smtp.from,
        to,
        subject: n.subject,
        text: n.text,
        headers: { 'Content-Language': locale },
      });
      return { status: 'sent', detail: String(info.messageId ?? '') };
    });
    await this.#deliver(n, 'sms', t?.contact_phone ?? null, async (to) => {
      if (!this.sms) return { status: 'skipped', detail: say({ key: 'notice.skipped.no_sms' }) };
      const sms = say({ key: 'notice.sms', params: { subject: n.subject, text: n.text } });
      return { status: 'sent', detail: await this.sms(to, sms) };
    });
  }

  /**
   * One email to one person (an announcement to a tenant's owner), already worded in their
   * language; recorded like every notice. `messageId` makes a repeat recognisably the same mail.
   * Skipped (and recorded so) when no SMTP server is configured.
   */
  async email(n: {
    tenantId: string;
    kind: string;
    locale: Locale;
    to: string;
    subject: string;
    text: string;
    messageId?: string;
  }): Promise<{ status: string; detail: string }> {
    const written: Written = { ...n };
    return this.#deliver(written, 'email', n.to, async (to) => {
      if (!this.#mail || !this.smtp)
        return { status: 'skipped', detail: translate(n.locale, 'notice.skipped.no_smtp') };
      const info = await this.#mail.sendMail({
        from: this.smtp.from,
        to,
        subject: n.subject,
        text: n.text,
        headers: { 'Content-Language': n.locale },
        ...(n.messageId ? { messageId: n.messageId } : {}),
      });
      return { status: 'sent', detail: String(info.messageId ?? '') };
    });
  }

  async #deliver(
    n: Written,
    channel: 'email' | 'sms',
    to: string | null,
    send: (to: string) => Promise<{ status: string; detail: string }>,
  ): Promise<{ status: string; detail: string }> {
    let result: { status: string; detail: string };
    if (!to)
      result = {
        status: 'skipped',
        detail: translate(
          n.locale,
          channel === 'email' ? 'notice.skipped.no_email' : 'notice.skipped.no_phone',
        ),
      };
    else {
      try {
        result = await send(to);
      } catch (err) {
        result = { status: 'failed', detail: (err as Error).message.slice(0, 500) };
        this.log.warn(
          { tenant: n.tenantId, channel, kind: n.kind, err: (err as Error).message },
          'notification failed',
        );
      }
    }
    await this.db
      .insertInto('notifications')
      .values({
        tenant_id: n.tenantId,
        kind: n.kind,
        channel,
        recipient: to,
        subject: n.subject,
        body: n.text,
        status: result.status,
        detail: result.detail,
        created_at: Date.now(),
      })
      .execute();
    return result;
  }

  close(): void {
    this.#mail?.close();
  }
}
