import { fillTemplate, type TemplateParams } from '../core/template.js';
import type { Lang } from './lang.js';

/**
 * A module's user-facing text in both languages. The Chinese table must have exactly the English keys, so a
 * missing translation is a compile error rather than a blank line at run time.
 */
export function defineText<const K extends string>(tables: {
  en: Record<K, string>;
  zh: Record<NoInfer<K>, string>;
}): (lang: Lang) => Translate<K> {
  return (lang) => (key, params) => fillTemplate(tables[lang][key], params);
}

export type Translate<K extends string> = (key: K, params?: TemplateParams) => string;
