// A server problem that names a field ("amount", "rules[0].price", "routes[0].filter.prefixes")
// marks that field of the form with the server's words; the page shows the problem above the form
// too (<ProblemAlert>). Every form of the console marks its fields through this.
import { useState } from 'react';
import type { FormInstance } from 'antd';
import { ApiError } from '../api/client.ts';

type Path = Array<string | number>;
type Fields = readonly string[] | Record<string, string> | ((path: Path) => Path);

/** "rules[0].price" → ['rules', 0, 'price']. */
export function fieldPath(field: string): Path {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Mark the form field the problem names; true when one was marked. `fields` says which fields the
 * form has:
 * - a list of the API's top-level names (`['amount', 'rules']`), or a map from the API's name to
 *   the form's where they differ (`{ password: 'newPassword' }`): a named field is always marked,
 *   at the deepest part of its path the form has a control for ("tenantIds[3]" marks the picker);
 * - a function renaming the path (or nothing): the deepest part of the path the form has a
 *   control for is marked, if any.
 */
export function markProblemField(
  form: FormInstance,
  err: unknown,
  fields: Fields = (p) => p,
): boolean {
  if (!(err instanceof ApiError) || !err.field) return false;
  const errors = [err.detail ?? err.title];
  let path = fieldPath(err.field);
  if (typeof fields === 'function') {
    path = fields(path);
    for (let n = path.length; n >= 1; n--) {
      const name = path.slice(0, n);
      if (form.getFieldInstance(name) !== undefined) {
        form.setFields([{ name, errors }]);
        return true;
      }
    }
    return false;
  }
  const top = String(path[0]);
  const renamed = Array.isArray(fields)
    ? fields.includes(top)
      ? top
      : undefined
    : (fields as Record<string, string>)[top];
  if (renamed === undefined) return false;
  path = [renamed, ...path.slice(1)];
  let name: Path = [renamed];
  for (let n = path.length; n > 1; n--)
    if (form.getFieldInstance(path.slice(0, n))) {
      name = path.slice(0, n);
      break;
    }
  form.setFields([{ name, errors }]);
  return true;
}

/**
 * A form's submit: `busy` while `send` runs; a failure marks the field it names and is kept in
 * `error` for the form's <ProblemAlert> (with `alertOnField: false`, only when no field was
 * marked).
 */
export function useFormSubmit<V>(
  form: FormInstance,
  fields: Fields,
  send: (values: V) => Promise<void>,
  opts: { alertOnField?: boolean } = {},
) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(values: V) {
    setBusy(true);
    setError(null);
    try {
      await send(values);
    } catch (err) {
      if (!markProblemField(form, err, fields) || opts.alertOnField !== false) setError(err);
    } finally {
      setBusy(false);
    }
  }
  return { submit, busy, error, setError };
}
