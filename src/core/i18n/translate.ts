// The message catalog: every text a tenant reads, in zh-CN (default) and en, looked up by key.
// i18next does the lookup, interpolation and fallback; it is pure (no I/O) and initialised here,
// synchronously, once. A key missing in one language falls back to the other, never to the raw key.
import i18next from 'i18next';
import { DomainError, errorCatalog, type ErrorCode } from '../errors.ts';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locale.ts';
import { en } from './messages.en.ts';
import { errorTitlesZhCN, zhCN } from './messages.zh-CN.ts';

export type MessageKey = keyof typeof en | `error.${ErrorCode}`;
export type MessageParams = Record<string, string | number>;

const errorTitlesEn = Object.fromEntries(
  Object.entries(errorCatalog).map(([code, e]) => [`error.${code}`, e.title]),
);
const errorTitlesZh = Object.fromEntries(
  Object.entries(errorTitlesZhCN).map(([code, title]) => [`error.${code}`, title]),
);

/** Each locale's whole catalog, flat: key → text (exported for catalog.test.ts). */
export const catalogs: Record<Locale, Record<string, string>> = {
  'zh-CN': { ...zhCN, ...errorTitlesZh },
  en: { ...en, ...errorTitlesEn },
};

const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: catalogs[l] }])),
  lng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  load: 'currentOnly',
  fallbackLng: { 'zh-CN': ['en'], default: [DEFAULT_LOCALE] },
  // Keys are flat strings with dots in them, texts are plain text (not HTML).
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
const fixed = Object.fromEntries(LOCALES.map((l) => [l, i18n.getFixedT(l)])) as Record<
  Locale,
  ReturnType<typeof i18n.getFixedT>
>;

/** The text of `key` in `locale`, with {{placeholders}} filled from `params`. */
export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  return String(fixed[locale](key, params));
}

/** The title of an error code, e.g. for a problem+json answer. */
export function errorTitle(locale: Locale, code: ErrorCode): string {
  return translate(locale, `error.${code}`);
}

/** A DomainError whose detail is a catalog entry: English in logs, the caller's language on the wire. */
export function localizedError(
  code: ErrorCode,
  key: MessageKey,
  params: MessageParams = {},
  details?: Record<string, unknown>,
): DomainError {
  return new DomainError(code, translate('en', key, params), details, { key, params });
}
