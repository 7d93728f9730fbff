// The console's languages: zh-CN first, en a click away. Texts live in one catalog per area
// (web/src/i18n/catalogs/*.ts), each a namespace ("billing:ledger.title"). The choice is kept
// in localStorage before login and on the user's account after (PUT /v1/me/locale).
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { catalogs } from './catalogs/index.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'hongyan.lang';

export function isLanguage(v: unknown): v is Language {
  return v === 'zh-CN' || v === 'en';
}

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(saved)) return saved;
  } catch {
    /* storage may be disabled */
  }
  return 'zh-CN';
}

const resources: Record<Language, Record<string, unknown>> = { 'zh-CN': {}, en: {} };
for (const [ns, catalog] of Object.entries(catalogs)) {
  resources['zh-CN'][ns] = catalog['zh-CN'];
  resources.en[ns] = catalog.en;
}

void i18n.use(initReactI18next).init({
  resources: resources as never,
  lng: initialLanguage(),
  fallbackLng: 'zh-CN',
  defaultNS: 'common',
  ns: Object.keys(catalogs),
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'zh-CN';
}

/** Switch now and remember it in this browser; the session kit also saves it on the account. */
export async function setLanguage(lang: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = lang;
  await i18n.changeLanguage(lang);
}

export default i18n;
