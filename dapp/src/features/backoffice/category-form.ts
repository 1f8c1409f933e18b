/**
 * The forum category form's values and their checks in words before a request (the server checks again, with the
 * same limits: backend/forum/rules.py). A new category gets a slug, its address, which never changes; the name and
 * description in each of the dApp's other languages are optional: left empty, readers in that language see the
 * English. One left as it was while the English changes is marked outdated for staff unless they tick that it still
 * fits.
 */
import type { MessageKey } from "../../i18n";
import type { CategoryIn, CategoryText, StaffCategory } from "./forum-moderation";
import { TRANSLATED_LANGUAGES, leftBehind } from "./languages";

export const MAX_SLUG_CHARS = 40;
export const MAX_NAME_CHARS = 80;
export const MAX_DESCRIPTION_CHARS = 300;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** A translation in the form: its words, and whether staff say it still fits an English they changed. */
export interface CategoryTranslationForm extends CategoryText {
  stillFits: boolean;
}

export interface CategoryForm extends CategoryText {
  slug: string;
  /** Every translated language's text; both empty: not translated. */
  translations: Record<string, CategoryTranslationForm>;
}

/** A form field; a translation's are named with their language ("name:zh-CN"). */
export type CategoryField = "slug" | keyof CategoryText | `${keyof CategoryText}:${string}`;
export type CategoryProblems = Partial<Record<CategoryField, MessageKey>>;

export function newCategoryForm(): CategoryForm {
  return { slug: "", name: "", description: "", translations: translationsOf({}) };
}

export function categoryFormOf(category: StaffCategory): CategoryForm {
  const { slug, name, description } = category;
  return { slug, name, description, translations: translationsOf(category.translations) };
}

function translationsOf(held: Record<string, CategoryText>): Record<string, CategoryTranslationForm> {
  return Object.fromEntries(
    TRANSLATED_LANGUAGES.map((language) => [language, { name: held[language]?.name ?? "", description: held[language]?.description ?? "", stillFits: false }]),
  );
}

/** Text as the server keeps it: runs of white space become one space, none at either end. */
const oneLine = (text: string) => text.split(/\s+/).filter(Boolean).join(" ");

const written = (text: CategoryText) => oneLine(text.name) !== "" || oneLine(text.description) !== "";

/** What is wrong with the form, per field, in words (empty: nothing). */
export function categoryProblems(form: CategoryForm): CategoryProblems {
  const problems: CategoryProblems = {};
  if (!SLUG.test(form.slug)) problems.slug = "backoffice.forum.category.slugInvalid";
  const texts: [string, CategoryText][] = [["", form], ...Object.entries(form.translations).filter(([, text]) => written(text))];
  for (const [language, text] of texts) {
    const [name, description] = language ? ([`name:${language}`, `description:${language}`] as const) : (["name", "description"] as const);
    const cleanName = oneLine(text.name);
    if (!cleanName) problems[name] = "backoffice.forum.category.nameRequired";
    else if (cleanName.length > MAX_NAME_CHARS) problems[name] = "backoffice.forum.category.nameTooLong";
    if (oneLine(text.description).length > MAX_DESCRIPTION_CHARS) problems[description] = "backoffice.forum.category.descriptionTooLong";
  }
  return problems;
}

/** The request of a form without problems: the name, description and written translations (the slug goes in the
 *  address of a change, in the body of a new category). */
export function categoryRequest(form: CategoryForm): CategoryIn {
  const sent = (t: CategoryTranslationForm) => ({ ...words(t), ...(t.stillFits ? { stillFits: true } : {}) });
  return {
    ...words(form),
    translations: Object.fromEntries(Object.entries(form.translations).filter(([, t]) => written(t)).map(([language, t]) => [language, sent(t)])),
  };
}

/** A name and description as the server keeps them. */
const words = (text: CategoryText) => ({ name: oneLine(text.name), description: oneLine(text.description) });

/** Whether saving would leave `language`'s translation of `held` outdated (see `leftBehind`): then the form asks
 *  whether it still fits. */
export function categoryMayGoStale(held: StaffCategory | null, form: CategoryForm, language: string): boolean {
  const now = form.translations[language];
  return leftBehind(held && { english: words(held), translation: held.translations[language] }, {
    english: words(form),
    translation: now && words(now),
  });
}
