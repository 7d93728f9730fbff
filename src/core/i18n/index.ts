// Languages (zh-CN first, en) and the one message catalog every tenant-facing text comes from.
export { DEFAULT_LOCALE, LOCALES, isLocale, negotiateLocale, type Locale } from './locale.ts';
export {
  catalogs,
  errorTitle,
  localizedError,
  translate,
  type MessageKey,
  type MessageParams,
} from './translate.ts';
