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

type Words = Record<string, string>;

/** Whether `sent` says what `held` says, field by field (the fields of `sent`; each as the server keeps it). */
const sameWords = (held: object, sent: Words) => Object.entries(sent).every(([field, value]) => (held as Partial<Words>)[field] === value);

/** Whether saving would leave a held translation outdated: it is sent as it was, and the English it was written from
 *  is not the English sent (it was outdated already, or the form changed the English). Then staff may say it still
 *  fits. Words are compared as the server keeps them (the caller trims them so). */
export function leftBehind(
  held: { english: Words; translation: { outdated: boolean } | undefined } | null,
  sent: { english: Words; translation: Words | undefined },
): boolean {
  if (!held?.translation || !sent.translation || !sameWords(held.translation, sent.translation)) return false;
  return held.translation.outdated || !sameWords(held.english, sent.english);
}
