// A statement as files: CSV, XLSX (exceljs) and a printable HTML page.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatAmount } from '../core/billing/money.ts';
import type { Statement } from '../core/billing/statement.ts';

function summary(s: Statement): Array<[string, string]> {
  return [
    ['Opening balance', formatAmount(s.opening)],
    ['Recharges', formatAmount(s.recharges)],
    ['Charges for messages', formatAmount(-s.charges)],
    ['Refunds', formatAmount(s.refunds)],
    ['Fees', formatAmount(-s.fees)],
    ['Adjustments', formatAmount(s.adjustments)],
    ['Closing balance', formatAmount(s.closing)],
    ['of which held for messages in flight', formatAmount(s.heldAtClose)],
  ];
}

export function statementCsv(s: Statement): string {
  const rows: string[][] = [
    ['Statement', s.tenantName, s.tenantId, s.month, s.currency],
    ['Period', s.from, s.to],
    [],
    ['Item', 'Amount'],
    ...summary(s),
    [],
    ['Class', 'Destination', 'Parts', 'Amount'],
    ...s.lines.map((l) => [l.class, l.destination, String(l.parts), formatAmount(l.amount)]),
  ];
  // A BOM so spreadsheet programs read the Chinese company names as UTF-8.
  return '\ufeff' + stringify(rows);
}

export async function statementXlsx(s: Statement): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hongyan';
  const sheet = wb.addWorksheet(`对账单 ${s.month}`);
  sheet.addRow(['Statement', s.tenantName, s.tenantId, s.month, s.currency]);
  sheet.addRow(['Period', s.from, s.to]);
  sheet.addRow([]);
  sheet.addRow(['Item', 'Amount']).font = { bold: true };
  // Amounts as exact decimal strings converted once to numbers with 4 decimals: Excel shows them as numbers.
  for (const [item, amount] of summary(s))
    sheet.addRow([item, Number(amount)]).getCell(2).numFmt = '0.0000';
  sheet.addRow([]);
  sheet.addRow(['Class', 'Destination', 'Parts', 'Amount']).font = { bold: true };
  for (const l of s.lines)
    sheet
      .addRow([l.class, l.destination, l.parts, Number(formatAmount(l.amount))])
      .getCell(4).numFmt = '0.0000';
  sheet.columns.forEach((c) => (c.width = 22));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statementHtml(s: Statement): string {
  const rows = summary(s)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  const lines = s.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.class)}</td><td>${esc(l.destination)}</td><td>${l.parts}</td><td>${esc(formatAmount(l.amount))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>对账单 ${esc(s.month)} — ${esc(s.tenantName)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.3em .8em;text-align:left}td:last-child{text-align:right}@media print{body{margin:0}}</style></head>
<body><h1>对账单 Statement ${esc(s.month)}</h1><p>${esc(s.tenantName)} (${esc(s.tenantId)}) · ${esc(s.currency)} · ${esc(s.from)} – ${esc(s.to)}</p>
<table>${rows}</table><h2>Charges by class and destination</h2><table><tr><th>Class</th><th>Destination</th><th>Parts</th><th>Amount</th></tr>${lines}</table>
<p>Generated ${esc(s.generatedAt)}</p></body></html>`;
}
