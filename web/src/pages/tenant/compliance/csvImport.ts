// Posting a CSV file's text as the API takes it (`Content-Type: text/csv`): the compliance lists
// accept it on the same routes as their JSON form (src/servers/http/compliance.ts).
import { ApiError, NetworkError } from '../../../api/client.ts';
import { currentLanguage } from '../../../i18n/index.ts';

export async function postCsv<T>(path: string, text: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'text/csv',
        Accept: 'application/json',
        'Accept-Language': currentLanguage(),
      },
      body: text,
    });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok)
    throw new ApiError(
      res.status,
      data && typeof data === 'object'
        ? (data as Record<string, unknown>)
        : { title: String(data) },
    );
  return data as T;
}

/** Numbers typed or pasted one a line, or separated by commas, semicolons or spaces. */
export function splitNumbers(text: string | undefined): string[] {
  return [
    ...new Set(
      (text ?? '')
        .split(/[\s,，;；]+/u)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
