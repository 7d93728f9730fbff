// One way to tell a tenant something (low balance, contract reminders, incidents): email to the
// contact through SMTP, SMS through Hongyan itself from the operator's own account. Every delivery
// attempt is recorded, including those skipped because a channel is not configured.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Logger } from '../logger.ts';
import type { Config } from '../config.ts';
import type { Database } from '../store/schema.ts';

export type SmtpSettings = NonNullable<Config['notifications']['smtp']>;

export type SendSms = (to: string, text: string) => Promise<string>;

export interface Notice {
  tenantId: string;
  kind: string;
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
        })
      : null;
  }

  async notify(n: Notice): Promise<void> {
    const t = await this.db
      .selectFrom('tenants')
      .select(['contact_email', 'contact_phone', 'name'])
      .where('id', '=', n.tenantId)
      .executeTakeFirst();
    await this.#deliver(n, 'email', t?.contact_email ?? null, async (to) => {
      if (!this.#mail || !this.smtp)
        return { status: 'skipped', detail: 'no SMTP server configured' };
      const info = await this.#mail.sendMail({
        from: this.smtp.from,
        to,
        subject: n.subject,
        text: n.text,
      });
      return { status: 'sent', detail: String(info.messageId ?? '') };
    });
    await this.#deliver(n, 'sms', t?.contact_phone ?? null, async (to) => {
      if (!this.sms) return { status: 'skipped', detail: 'no operator account for SMS' };
      return { status: 'sent', detail: await this.sms(to, `${n.subject}: ${n.text}`) };
    });
  }

  async #deliver(
    n: Notice,
    channel: 'email' | 'sms',
    to: string | null,
    send: (to: string) => Promise<{ status: string; detail: string }>,
  ): Promise<void> {
    let result: { status: string; detail: string };
    if (!to)
      result = {
        status: 'skipped',
        detail: `the tenant has no contact ${channel === 'email' ? 'email' : 'phone'}`,
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
  }

  close(): void {
    this.#mail?.close();
  }
}
