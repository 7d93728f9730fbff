// Files from the API (CSV exports, statements) fetched with the session cookie and saved by the
// browser under the server's file name; a refusal is not saved but thrown as an ApiError, for the
// page's <ProblemAlert>, like any call.
import { ApiError, NetworkError, withQuery, type Query } from '../api/client.ts';
import { currentLanguage } from '../i18n/index.ts';

function fileNameOf(disposition: string | null, fallback: string): string {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  return m?.[1] ? decodeURIComponent(m[1]) : fallback;
}

export async function saveDownload(path: string, query: Query, fallbackName: string) {
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      credentials: 'same-origin',
      headers: { 'Accept-Language': currentLanguage() },
    });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  if (!res.ok) {
    const type = res.headers.get('content-type') ?? '';
    const body = type.includes('json')
      ? ((await res.json()) as Record<string, unknown>)
      : { title: await res.text() };
    throw new ApiError(res.status, body);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameOf(res.headers.get('content-disposition'), fallbackName);
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser the click before the object URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
