// A catalog is one area's texts in both languages. `defineCatalog` makes the English side keep
// exactly the Chinese side's keys (a missing or extra key is a type error), so no page can show
// a key instead of a text in one language.
export type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

export interface Catalog<T = unknown> {
  'zh-CN': T;
  en: Shape<T>;
}

export function defineCatalog<const T>(zh: T, en: Shape<T>): Catalog<T> {
  return { 'zh-CN': zh, en };
}
