// Announcements (advance notice of changes and maintenance): the operator writes one for every
// tenant or some, tenants read the current and upcoming ones, and, when asked, each addressed
// tenant's owners get it by email once, through the notifier, from the `announcements` job
// (docs/security.md, "Announcements").
import type { Kysely } from 'kysely';
import { DomainError } from '../core/errors.ts';
import { translate, type Locale } from '../core/i18n/index.ts';
import type { Database } from '../store/schema.ts';
import type { Actor, AuditStore } from '../store/audit.ts';
import {
  MAX_EMAIL_ATTEMPTS,
  type Announcement,
  type AnnouncementKind,
  type AnnouncementStore,
} from '../store/announcements.ts';
import type { Notifier } from '../events/notifications.ts';

export type { Announcement, AnnouncementKind };
import { systemClock, type Clock } from '../core/schedule.ts';

export const TITLE_MAX = 120;
export const BODY_MAX = 4000;
export const AUDIENCE_MAX = 1000;

export interface AnnouncementDeps {
  db: Kysely<Database>;
  announcements: AnnouncementStore;
  audit: AuditStore;
}

export interface AnnouncementInput {
  kind: AnnouncementKind;
  title: string;
  body: string;
  audience: 'all' | 'tenants';
  tenantIds?: string[];
  startsAt: number | null;
  endsAt: number | null;
  email: boolean;
}

// Plain text: line breaks and tabs, no other control characters (they hide or garble text).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function plainText(value: string, field: string, max: number): string {
  const text = value.replace(/\r\n?/g, '\n').trim();
  if (!text) throw new DomainError('invalid_request', `${field} is empty`, { field });
  if (CONTROL.test(text))
    throw new DomainError('invalid_request', `${field} has control characters`, { field });
  if ([...text].length > max)
    throw new DomainError('invalid_request', `${field} is longer than ${max} characters`, {
      field,
    });
  return text;
}

export async function createAnnouncement(
  deps: AnnouncementDeps,
  input: AnnouncementInput,
  actor: Actor,
  now = Date.now(),
): Promise<Announcement> {
  const title = plainText(input.title, 'title', TITLE_MAX);
  const body = plainText(input.body, 'body', BODY_MAX);
  let tenantIds: string[] | null = null;
  if (input.audience === 'all') {
    if (input.tenantIds !== undefined)
      throw new DomainError('invalid_request', 'tenantIds goes with audience "tenants"', {
        field: 'tenantIds',
      });
  } else {
    tenantIds = [...new Set(input.tenantIds ?? [])];
    if (tenantIds.length === 0)
      throw new DomainError('invalid_request', 'name the tenants (tenantIds)', {
        field: 'tenantIds',
      });
    const found = new Set(
      (await deps.db.selectFrom('tenants').select('id').where('id', 'in', tenantIds).execute()).map(
        (t) => t.id,
      ),
    );
    const missing = tenantIds.findIndex((t) => !found.has(t));
    if (missing >= 0)
      throw new DomainError('invalid_request', `no tenant ${tenantIds[missing]}`, {
        field: `tenantIds[${(input.tenantIds ?? []).indexOf(tenantIds[missing]!)}]`,
      });
  }
  if (input.startsAt !== null && input.endsAt !== null && input.endsAt <= input.startsAt)
    throw new DomainError('invalid_request', 'endsAt must be after startsAt', {
      field: 'endsAt',
    });
  if (input.endsAt !== null && input.endsAt <= now)
    throw new DomainError('invalid_request', 'endsAt is in the past', { field: 'endsAt' });
  return deps.db.transaction().execute(async (trx) => {
    const a = await deps.announcements.create(
      {
        kind: input.kind,
        title,
        body,
        tenantIds,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        email: input.email,
        createdBy: actor.id,
      },
      trx,
      now,
    );
    await deps.audit.record(
      {
        tenantId: null,
        actor,
        action: 'announcement.created',
        targetType: 'announcement',
        targetId: a.id,
        details: {
          kind: a.kind,
          title: a.title,
          audience: input.audience,
          tenantIds,
          email: a.email,
        },
      },
      trx,
    );
    return a;
  });
}

export async function withdrawAnnouncement(
  deps: AnnouncementDeps,
  id: string,
  actor: Actor,
  now = Date.now(),
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const a = await deps.announcements.get(id, trx);
    if (!a) throw new DomainError('not_found', `no announcement ${id}`);
    if (!(await deps.announcements.withdraw(id, actor.id, trx, now)))
      throw new DomainError('invalid_transition', `announcement ${id} was withdrawn already`);
    await deps.audit.record(
      {
        tenantId: null,
        actor,
        action: 'announcement.withdrawn',
        targetType: 'announcement',
        targetId: id,
        details: { title: a.title },
      },
      trx,
    );
  });
}

/** Where an announcement stands at `now`. */
export function announcementStatus(
  a: Announcement,
  now: number,
): 'withdrawn' | 'ended' | 'current' | 'upcoming' {
  if (a.withdrawnAt !== null) return 'withdrawn';
  if (a.endsAt !== null && a.endsAt <= now) return 'ended';
  if (a.startsAt !== null && a.startsAt > now) return 'upcoming';
  return 'current';
}

export interface MailOptions {
  /** Times in the email are written in this zone (minutes east of UTC; China: 480). */
  utcOffsetMinutes: number;
  /** A claimed email is another sender's to retry after this long (a node that died mid-send). */
  leaseMs: number;
  /** A mail server's refusal is retried after this long, up to MAX_EMAIL_ATTEMPTS times. */
  retryMs: number;
  /** At most this many emails per run; the rest on the next. */
  perRun: number;
}

/**
 * The `announcements` job: list the recipients of new mailings, then send what is pending. Each
 * email is claimed just before it is sent and marked after, so a repeated run sends nothing twice;
 * a node that dies between the mail server's acceptance and the mark leaves that one email to be
 * sent again after the lease, with the same Message-ID (mail clients show it once). The lease runs
 * from the claim (`clock`), not from the run's start: a run with many emails to send would
 * otherwise claim its last ones with a lease already spent, and another node would send them too.
 */
export async function mailAnnouncements(
  store: AnnouncementStore,
  notifier: Notifier,
  opts: MailOptions,
  now: number,
  clock: Clock = systemClock,
): Promise<{ listed: number; sent: number; skipped: number; failed: number; retry: number }> {
  const out = { listed: await store.listRecipients(now), sent: 0, skipped: 0, failed: 0, retry: 0 };
  const announcements = new Map<string, Announcement | undefined>();
  // One at a time: each lease covers one send, which the SMTP timeouts bound well below it
  // (events/notifications.ts).
  for (let budget = opts.perRun; budget > 0; budget -= 1) {
    const [e] = await store.claimEmails(clock.now(), opts.leaseMs, 1);
    if (!e) break;
    if (!announcements.has(e.announcementId))
      announcements.set(e.announcementId, await store.get(e.announcementId));
    const a = announcements.get(e.announcementId);
    if (!a || a.withdrawnAt !== null) {
      await store.finishEmail(e, { status: 'cancelled', detail: 'withdrawn' }, clock.now());
      continue;
    }
    const worded = wordAnnouncement(a, e.locale, opts.utcOffsetMinutes);
    let result: { status: string; detail: string };
    try {
      result = await notifier.email({
        tenantId: e.tenantId,
        kind: 'announcement',
        locale: e.locale,
        to: e.email,
        subject: worded.subject,
        text: worded.text,
        messageId: `<${a.id}.${e.userId}@announcements.hongyan>`,
      });
    } catch (err) {
      // The notifier catches the mail server's refusals and records every outcome as a notice:
      // what reaches here is that record failing after the mail server answered, most likely
      // accepting the email. Marked sent now rather than left to its lease, which would send it
      // again: at most one copy (a refusal lost with its record is not retried), and the row
      // says why the tenant's notice is missing. The notifier sends and records in one call, so
      // marking the row between the two is not open to this job.
      const detail = `recording the notice failed: ${(err as Error).message}`;
      await store.finishEmail(e, { status: 'sent', detail }, clock.now());
      out.sent += 1;
      continue;
    }
    const at = clock.now();
    if (result.status === 'sent' || result.status === 'skipped') {
      await store.finishEmail(e, { status: result.status, detail: result.detail }, at);
      out[result.status] += 1;
    } else if (e.attempts < MAX_EMAIL_ATTEMPTS) {
      await store.finishEmail(
        e,
        { status: 'pending', detail: result.detail },
        at,
        at + opts.retryMs,
      );
      out.retry += 1;
    } else {
      await store.finishEmail(e, { status: 'failed', detail: result.detail }, at);
      out.failed += 1;
    }
  }
  return out;
}

/** The email of an announcement in one language: the operator's text, its window, a footer. */
export function wordAnnouncement(
  a: Pick<Announcement, 'kind' | 'title' | 'body' | 'startsAt' | 'endsAt'>,
  locale: Locale,
  utcOffsetMinutes: number,
): { subject: string; text: string } {
  const at = (ms: number) => localTime(ms, utcOffsetMinutes);
  const window =
    a.startsAt !== null && a.endsAt !== null
      ? translate(locale, 'notice.announcement.window', {
          from: at(a.startsAt),
          until: at(a.endsAt),
        })
      : a.startsAt !== null
        ? translate(locale, 'notice.announcement.window_from', { from: at(a.startsAt) })
        : a.endsAt !== null
          ? translate(locale, 'notice.announcement.window_until', { until: at(a.endsAt) })
          : null;
  return {
    subject: translate(locale, `notice.announcement.subject.${a.kind}`, { title: a.title }),
    text: [a.body, window, translate(locale, 'notice.announcement.footer')]
      .filter((p) => p !== null)
      .join('\n\n'),
  };
}

/** `2026-12-10 02:00 (UTC+08:00)`: a wall-clock time in the operator's zone, zone named. */
export function localTime(ms: number, utcOffsetMinutes: number): string {
  const d = new Date(ms + utcOffsetMinutes * 60_000).toISOString();
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  const zone = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${d.slice(0, 10)} ${d.slice(11, 16)} (UTC${sign}${zone})`;
}
