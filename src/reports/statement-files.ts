// A statement as files: CSV, XLSX (exceljs) and a printable HTML page, labelled in the tenant's
// language (core/i18n; zh-CN unless the tenant chose English). Amounts, months, class and
// destination codes are the same in every language, so a file can be read back by a program.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatAmount } from '../core/billing/money.ts';
import type { Statement } from '../core/billing/statement.ts';
import { DEFAULT_LOCALE, translate, type Locale, type MessageKey } from '../core/i18n/index.ts';

function labels(locale: Locale) {
  return (key: MessageKey, params?: Record<string, string>) => translate(locale, key, params);
}

function summary(s: Statement, locale: Locale): Array<[string, string]> {
  const l = labels(locale);
  return [
    [l('statement.opening'), formatAmount(s.opening)],
    [l('statement.recharges'), formatAmount(s.recharges)],
    [l('statement.charges'), formatAmount(-s.charges)],
    [l('statement.refunds'), formatAmount(s.refunds)],
    [l('statement.fees'), formatAmount(-s.fees)],
    [l('statement.adjustments'), formatAmount(s.adjustments)],
    [l('statement.closing'), formatAmount(s.closing)],
    [l('statement.held'), formatAmount(s.heldAtClose)],
  ];
}

function lineHeader(locale: Locale): string[] {
  const l = labels(locale);
  return [
    l('statement.class'),
    l('statement.destination'),
    l('statement.parts'),
    l('statement.amount'),
  ];
}

export function statementCsv(s: Statement, locale: Locale = DEFAULT_LOCALE): string {
  const l = labels(locale);
  const rows: string[][] = [
    [l('statement.title'), s.tenantName, s.tenantId, s.month, s.currency],
    [l('statement.period'), s.from, s.to],
    [],
    [l('statement.item'), l('statement.amount')],
    ...summary(s, locale),
    [],
    lineHeader(locale),
    ...s.lines.map((x) => [x.class, x.destination, String(x.parts), formatAmount(x.amount)]),
  ];
  // A BOM so spreadsheet programs read the Chinese labels and company names as UTF-8.
  return '\ufeff' + stringify(rows);
}

export async function statementXlsx(
  s: Statement,
  locale: Locale = DEFAULT_LOCALE,
): Promise<Buffer> {
  const l = labels(locale);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hongyan';
  const sheet = wb.addWorksheet(l('statement.sheet', { month: s.month }));
  sheet.addRow([l('statement.title'), s.tenantName, s.tenantId, s.month, s.currency]);
  sheet.addRow([l('statement.period'), s.from, s.to]);
  sheet.addRow([]);
  sheet.addRow([l('statement.item'), l('statement.amount')]).font = { bold: true };
  // Amounts as exact decimal strings converted once to numbers with 4 decimals: Excel shows them as numbers.
  for (const [item, amount] of summary(s, locale))
    sheet.addRow([item, Number(amount)]).getCell(2).numFmt = '0.0000';
  sheet.addRow([]);
  sheet.addRow(lineHeader(locale)).font = { bold: true };
  for (const x of s.lines)
    sheet
      .addRow([x.class, x.destination, x.parts, Number(formatAmount(x.amount))])
      .getCell(4).numFmt = '0.0000';
  sheet.columns.forEach((c) => (c.width = 22));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statementHtml(s: Statement, locale: Locale = DEFAULT_LOCALE): string {
  const l = labels(locale);
  const rows = summary(s, locale)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  const head = lineHeader(locale)
    .map((h) => `<th>${esc(h)}</th>`)
    .join('');
  const lines = s.lines
    .map(
      (x) =>
        `<tr><td>${esc(x.class)}</td><td>${esc(x.destination)}</td><td>${x.parts}</td><td>${esc(formatAmount(x.amount))}</td></tr>`,
    )
    .join('');
  const title = l('statement.sheet', { month: s.month });
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${esc(title)} — ${esc(s.tenantName)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.3em .8em;text-align:left}td:last-child{text-align:right}@media print{body{margin:0}}</style></head>
<body><h1>${esc(title)}</h1><p>${esc(s.tenantName)} (${esc(s.tenantId)}) · ${esc(s.currency)} · ${esc(s.from)} – ${esc(s.to)}</p>
<table>${rows}</table><h2>${esc(l('statement.lines'))}</h2><table><tr>${head}</tr>${lines}</table>
<p>${esc(l('statement.generated', { at: s.generatedAt }))}</p></body></html>`;
}
