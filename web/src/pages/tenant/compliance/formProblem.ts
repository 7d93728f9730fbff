// A server problem that names a field of the form marks that field with the server's detail;
// anything else is left for the form's <ProblemAlert>. Returns whether a field was marked.
import type { FormInstance } from 'antd';
import { ApiError } from '../../../api/client.ts';

export function markProblemField(
  form: FormInstance,
  err: unknown,
  /** The form's fields, by the API's name for each when it differs: { apiName: formName }. */
  fields: readonly string[] | Record<string, string>,
): boolean {
  if (!(err instanceof ApiError) || !err.field) return false;
  const map: Record<string, string> = Array.isArray(fields)
    ? Object.fromEntries(fields.map((f) => [f, f]))
    : (fields as Record<string, string>);
  const name = map[err.field];
  if (!name) return false;
  form.setFields([{ name, errors: [err.detail ?? err.title] }]);
  return true;
}
