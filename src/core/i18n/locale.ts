// The languages a tenant can read Hongyan in, and how an HTTP request picks one.
// Simplified Chinese first: it is the default for every tenant and every request that asks for none.

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** The locale a language tag asks for: any Chinese (zh, zh-Hans, zh-TW…) reads zh-CN, any English en. */
function localeOfTag(tag: string): Locale | null {
  const primary = tag.split('-')[0]!.toLowerCase();
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return null;
}

/**
 * The best locale of an `Accept-Language` header (RFC 9110 §12.5.4: tags with q-values, highest
 * first, q=0 meaning "not this one"), or `fallback` when it names none we have (or is absent, or `*`).
 */
export function negotiateLocale(
  header: string | undefined,
  fallback: Locale = DEFAULT_LOCALE,
): Locale {
  if (!header) return fallback;
  let best: { locale: Locale; q: number } | null = null;
  const refused = new Set<Locale>();
  const ranges = header.split(',').slice(0, 32);
  for (const range of ranges) {
    const [rawTag, ...params] = range.trim().split(';');
    const tag = rawTag?.trim() ?? '';
    if (!/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/i.exec(p);
      if (m) q = Math.min(1, Number(m[1]));
    }
    const locale = localeOfTag(tag);
    if (!locale) continue;
    if (q === 0) {
      refused.add(locale);
      continue;
    }
    // Equal weights: the first listed wins.
    if (!best || q > best.q) best = { locale, q };
  }
  if (best && !refused.has(best.locale)) return best.locale;
  return refused.has(fallback) ? (LOCALES.find((l) => !refused.has(l)) ?? fallback) : fallback;
}
