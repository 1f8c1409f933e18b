/** The languages staff's content (help articles, announcements) is translated into, and their names on a page. */
import { catalogues, locales } from "../../i18n";

/** Content is written in English and translated into the dApp's other languages (the server's list is the same). */
export const TRANSLATED_LANGUAGES = locales.filter((locale) => locale !== "en");

/** A language named in the staff page's own ("Chinese (China)" on an English page), else in itself. */
export function languageName(language: string, pageLocale: string): string {
  try {
    return new Intl.DisplayNames([pageLocale], { type: "language" }).of(language) ?? language;
  } catch {
    return catalogues[language]?.["app.languageName"] ?? language;
  }
}
