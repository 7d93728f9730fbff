// GET /v1/messages/export: the filtered message log as CSV or XLSX, streamed page by page from the
// store (never the whole list in memory), labelled in the caller's language. Cells a spreadsheet
// would read as a formula are neutralised (OWASP "CSV Injection", src/reports/csv-cells.ts).
import { once } from 'node:events';
import { PassThrough, Readable, pipeline } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { DomainError } from '../../core/errors.ts';
import { formatAmount } from '../../core/billing/money.ts';
import { safeCell as safeCsvCell } from '../../reports/csv-cells.ts';
import { translate, type Locale, type MessageKey } from '../../core/i18n/index.ts';
import type {
  AuditStore,
  ListFilter,
  MessageStore,
  MessageView,
} from '../../services/repositories.ts';
import { actorOf } from './auth.ts';
import { requestLocale } from './problem.ts';
import { Include, ListFilters, listFilterOf, toApi, type CategoryRulesOf } from './messages.ts';

/** More rows than this is refused (422 export_too_large): narrow the filter. */
export const EXPORT_MAX_ROWS = 1_000_000;
/** One export reads at most this many days of the log (its date range; the default ends now). */
export const EXPORT_MAX_DAYS = 92;
const DAY_MS = 86_400_000;
const PAGE = 1000;

const COLUMNS = [
  'id',
  'batch',
  'client_ref',
  'to',
  'status',
  'class',
  'parts',
  'encoding',
  'price',
  'charged',
  'currency',
  'error_code',
  'category',
  'channel',
  'created_at',
  'submitted_at',
  'done_at',
] as const;

function header(locale: Locale, withText: boolean): string[] {
  const keys = [...COLUMNS, ...(withText ? ['text'] : [])];
  return keys.map((k) => translate(locale, `export.messages.${k}` as MessageKey));
}

function cells(
  v: MessageView,
  currency: string,
  rulesOf: CategoryRulesOf | undefined,
  csv: boolean,
): Array<string | number> {
  const a = toApi(v, currency, rulesOf);
  // XLSX string cells are never formulas; only the CSV needs its cells defused.
  const safeCell = csv ? safeCsvCell : (x: string | null | undefined) => x ?? '';
  return [
    a.id,
    a.batchId,
    safeCell(a.clientRef),
    safeCell(a.to),
    a.status,
    a.class,
    a.parts,
    a.encoding,
    formatAmount(v.amount),
    formatAmount(v.charged),
    currency,
    safeCell(a.error?.code),
    a.error?.category ?? '',
    safeCell(a.channel),
    a.createdAt,
    a.submittedAt ?? '',
    a.doneAt ?? '',
    ...(v.text !== undefined ? [safeCell(v.text)] : []),
  ];
}

export function messageExportRoutes(
  app: FastifyInstance,
  deps: {
    messages: MessageStore;
    audit: AuditStore;
    defaultRegion: string;
    categoryRules?: CategoryRulesOf;
  },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/v1/messages/export',
    {
      config: { access: 'messages.read' },
      schema: {
        summary: 'The filtered message log as a CSV or XLSX file (streamed)',
        description: `Same filters as GET /v1/messages, over at most ${EXPORT_MAX_DAYS} days (createdAfter..createdBefore; without createdAfter, the ${EXPORT_MAX_DAYS} days before createdBefore or now); columns labelled in the caller's language (Accept-Language, else the account's). At most ${EXPORT_MAX_ROWS.toLocaleString('en')} rows: more is refused with export_too_large. With include=text, the texts are included and the read is audited (messages.read_text).`,
        tags: ['messages'],
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.String({ enum: ['csv', 'xlsx'], description: 'default csv' }),
            ),
            ...ListFilters,
            include: Include,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const tenant = req.tenant!;
      const q = req.query;
      const filter = boundedRange(listFilterOf(q, deps.defaultRegion), Date.now());
      const withText = q.include === 'text';
      const count = await deps.messages.countUpTo(tenant.id, filter, EXPORT_MAX_ROWS + 1);
      if (count > EXPORT_MAX_ROWS)
        throw new DomainError(
          'export_too_large',
          `more than ${EXPORT_MAX_ROWS} messages match; narrow the filter (a date range, a status)`,
          { max: EXPORT_MAX_ROWS },
        );
      if (withText && count > 0)
        await deps.audit.record({
          tenantId: tenant.id,
          actor: actorOf(req),
          action: 'messages.read_text',
          details: { export: true, count, filter },
        });
      const locale = requestLocale(req);
      async function* rows(): AsyncGenerator<Array<string | number>> {
        yield header(locale, withText);
        let after: string | undefined;
        for (;;) {
          const f: ListFilter = { ...filter, limit: PAGE, ...(after ? { after } : {}) };
          const page = await deps.messages.list(tenant.id, f, { text: withText });
          for (const v of page)
            yield cells(v, tenant.currency, deps.categoryRules, q.format !== 'xlsx');
          if (page.length < PAGE) return;
          after = page[page.length - 1]!.id;
        }
      }
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const name = `messages-${tenant.id}-${stamp}`;
      reply.header('Content-Language', locale);
      if (q.format === 'xlsx') {
        reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('Content-Disposition', `attachment; filename="${name}.xlsx"`);
        return reply.send(xlsxStream(rows(), translate(locale, 'export.messages.sheet')));
      }
      const csv = stringify({ bom: true });
      // An error half-way (the database gone) ends the download short instead of hanging it.
      pipeline(Readable.from(rows()), csv, (err) => {
        if (err) req.log.warn({ err }, 'message export stopped');
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${name}.csv"`)
        .send(csv);
    },
  );
}

/** Rows into a streamed workbook (exceljs WorkbookWriter), waiting for the reader as it goes. */
function xlsxStream(rows: AsyncGenerator<Array<string | number>>, sheetName: string): PassThrough {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = wb.addWorksheet(sheetName);
  void (async () => {
    for await (const row of rows) {
      sheet.addRow(row).commit();
      if (out.destroyed) return; // the client went away
      if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
    sheet.commit();
    await wb.commit();
  })().catch((err: unknown) => out.destroy(err as Error));
  return out;
}

/**
 * An export reads a bounded stretch of the log: without a start it covers the EXPORT_MAX_DAYS
 * before its end (now by default), and a longer range is refused naming createdAfter. Filters
 * other than the date are checked row by row inside that range, so the range bounds the work.
 */
function boundedRange<F extends { createdFrom?: number; createdTo?: number }>(
  filter: F,
  now: number,
): F {
  const to = filter.createdTo ?? now;
  const from = filter.createdFrom ?? to - EXPORT_MAX_DAYS * DAY_MS;
  if (to - from > EXPORT_MAX_DAYS * DAY_MS)
    throw new DomainError(
      'invalid_request',
      `an export covers at most ${EXPORT_MAX_DAYS} days; narrow createdAfter..createdBefore`,
      { field: 'createdAfter', maxDays: EXPORT_MAX_DAYS },
    );
  return { ...filter, createdFrom: from };
}
