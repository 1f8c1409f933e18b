/**
 * Message catalogues: one flat JSON file per language in `locales/` (`en.json`, `zh-CN.json`, ...),
 * keys namespaced by feature (`book.title`). Adding a language is adding one file: it is found here
 * by the glob, listed by the switcher under its own `app.languageName`, and checked by the parity test.
 *
 * Pages loaded on demand bring their own messages, so traders never download them:
 * `locales/account/` (the account page), `locales/backoffice/` (the staff pages), `locales/stats/`,
 * `locales/support/` (the support desk), `locales/help/` (the help center), `locales/forum/` and `locales/announcements/` (the
 * staff side; the banner's few words are in the main file), one file per language again, added by
 * `addCatalogues` when their chunk loads. A feature's staff section loads its feature's folder too.
 */
import en from "./locales/en.json";

export type Catalogue = Record<string, string>;
// Type-only imports: the on-demand catalogues' keys are checked without bundling them here.
type AccountMessages = typeof import("./locales/account/en.json");
type BackofficeMessages = typeof import("./locales/backoffice/en.json");
type StatsMessages = typeof import("./locales/stats/en.json");
type SupportMessages = typeof import("./locales/support/en.json");
type HelpMessages = typeof import("./locales/help/en.json");
type ForumMessages = typeof import("./locales/forum/en.json");
type AnnouncementsMessages = typeof import("./locales/announcements/en.json");
export type MessageKey =
  | keyof typeof en
  | keyof AccountMessages
  | keyof BackofficeMessages
  | keyof StatsMessages
  | keyof SupportMessages
  | keyof HelpMessages
  | keyof ForumMessages
  | keyof AnnouncementsMessages;
export type MessageParams = Record<string, string | number>;

export const DEFAULT_LOCALE = "en";

const modules = import.meta.glob<Catalogue>("./locales/*.json", { eager: true, import: "default" });

/** The locale a catalogue file is for (`./locales/zh-CN.json` -> `zh-CN`). */
export function localeOfPath(path: string): string {
  return path.replace(/^.*\/(.+)\.json$/, "$1");
}

/** locale -> catalogue, from the file names. */
export const catalogues: Record<string, Catalogue> = Object.fromEntries(
  Object.entries(modules).map(([path, catalogue]) => [localeOfPath(path), { ...catalogue }]),
);

/** Merge an on-demand page's catalogues (as `import.meta.glob` gives them) into the languages the app has. */
export function addCatalogues(files: Record<string, Catalogue>): void {
  for (const [path, catalogue] of Object.entries(files)) {
    const target = catalogues[localeOfPath(path)];
    if (target) Object.assign(target, catalogue);
  }
}

export const locales: string[] = Object.keys(catalogues).sort((a, b) =>
  a === DEFAULT_LOCALE ? -1 : b === DEFAULT_LOCALE ? 1 : a.localeCompare(b),
);

/** `{name}` placeholders of a message replaced by `params` (an unknown placeholder is left as is). */
export function interpolate(message: string, params?: MessageParams): string {
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The message in `locale`, else in English, else the key itself (visible, so a test can spot it). */
export function translate(locale: string, key: string, params?: MessageParams): string {
  const message = catalogues[locale]?.[key] ?? catalogues[DEFAULT_LOCALE]?.[key] ?? key;
  return interpolate(message, params);
}

/**
 * The best available locale for a list of preferences (`navigator.languages`): an exact match, then
 * the same language (`zh-Hans-CN` and `zh` -> `zh-CN`), else English.
 */
export function matchLocale(preferences: readonly string[], available: readonly string[] = locales): string {
  const lower = available.map((l) => l.toLowerCase());
  for (const preference of preferences) {
    const exact = lower.indexOf(preference.toLowerCase());
    if (exact >= 0) return available[exact] as string;
    const language = preference.split("-")[0]?.toLowerCase();
    const sameLanguage = lower.findIndex((l) => l.split("-")[0] === language);
    if (sameLanguage >= 0) return available[sameLanguage] as string;
  }
  return DEFAULT_LOCALE;
}

/** `{name}` placeholders used by a message (the parity test compares them across languages). */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();
}
