// A server problem that names a field ("port", "routes[0].filter.prefixes") marks that field of
// the form with the server's words; true when the form had the field.
import type { FormInstance } from 'antd';
import { ApiError } from '../../../api/client.ts';

/** "routes[0].filter.prefixes" → ['routes', 0, 'filter', 'prefixes']. */
export function fieldPath(field: string): Array<string | number> {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function markField(
  form: FormInstance,
  err: unknown,
  rename: (path: Array<string | number>) => Array<string | number> = (p) => p,
): boolean {
  if (!(err instanceof ApiError) || !err.field) return false;
  const path = rename(fieldPath(err.field));
  // The deepest part of the path the form has a control for.
  for (let n = path.length; n >= 1; n--) {
    const name = path.slice(0, n);
    if (form.getFieldInstance(name) !== undefined) {
      form.setFields([{ name, errors: [err.detail ?? err.title] }]);
      return true;
    }
  }
  return false;
}
