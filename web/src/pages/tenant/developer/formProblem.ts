// A server problem that names a field marks that form field; ProblemAlert above the form shows it too.
import type { FormInstance } from 'antd';
import { ApiError } from '../../../api/client.ts';

/**
 * Mark the form field the problem names. `fields` lists the form's fields, each under the API's
 * name for it (`{ password: 'newPassword' }` when they differ, else `{ name: 'name' }`).
 */
export function markProblemField(
  form: FormInstance,
  err: unknown,
  fields: Record<string, string>,
): void {
  if (!(err instanceof ApiError) || !err.field) return;
  const name = fields[err.field];
  if (name) form.setFields([{ name, errors: [err.detail ?? err.title] }]);
}
