// CSV cells that a spreadsheet will not run: a cell starting with = + - @ (or a tab or carriage
// return, which some spreadsheets skip before looking) is read as a formula, so such a cell gets a
// leading apostrophe (OWASP, "CSV Injection"). Meant for text from outside (carrier errors, names,
// numbers and texts in the message export), not for figures.
const FORMULA_START = /^[=+\-@\t\r]/;

export function safeCell(value: string | null | undefined): string {
  const text = value ?? '';
  return FORMULA_START.test(text) ? `'${text}` : text;
}
