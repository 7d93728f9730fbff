// A server problem that names a field (`amount`, `rules[0].price`) marks that field of the form,
// as the server worded it; the page also shows the problem above the form.
import type { FormInstance } from 'antd';
import { ApiError } from '../../../api/client.ts';

/** "rules[0].price" → ['rules', 0, 'price']. */
export function fieldPath(field: string): Array<string | number> {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Mark the named field when the form has it; true when one was marked. */
export function markProblemField(form: FormInstance, err: unknown, known: readonly string[]) {
  if (!(err instanceof ApiError) || !err.field) return false;
  const path = fieldPath(err.field);
  if (!known.includes(String(path[0]))) return false;
  // The deepest part of the path the form has a control for ("tenantIds[3]" marks the picker).
  let name: Array<string | number> = [path[0]!];
  for (let n = path.length; n > 1; n--)
    if (form.getFieldInstance(path.slice(0, n))) {
      name = path.slice(0, n);
      break;
    }
  form.setFields([{ name, errors: [err.detail ?? err.title] }]);
  return true;
}
