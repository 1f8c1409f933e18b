/** The staff help-center API (permission support.manage) and the article and translation forms' checks in words
 * (the server checks again: INVALID_FIELD, HELP_SLUG_TAKEN, HELP_TRANSLATION_TAKEN). */
import type { MessageKey } from "../../i18n";
import { staffHttp } from "./staff-api";

/** An article in another of the dApp's languages: what readers in it see instead of the English. */
export interface StaffTranslation {
  language: string;
  title: string;
  body: string;
  bodyHtml: string;
  updatedBy: string;
  updatedAt: number;
  /** The English title or body changed after it was saved. */
  outdated: boolean;
}

export interface StaffArticle {
  id: number;
  slug: string;
  title: string;
  body: string;
  bodyHtml: string;
  published: boolean;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
  translations: StaffTranslation[];
}

export interface ArticleForm {
  slug: string;
  title: string;
  body: string;
  published: boolean;
}

export const MAX_SLUG_CHARS = 80;
export const MAX_TITLE_CHARS = 200;
export const MAX_BODY_CHARS = 20_000;
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface TranslationForm {
  title: string;
  body: string;
}

export const helpStaffApi = {
  list: (q: string) => staffHttp.get<{ articles: StaffArticle[] }>("/v1/staff/help/articles", { q: q.trim() || undefined }),
  create: (form: ArticleForm) => staffHttp.post<StaffArticle>("/v1/staff/help/articles", toRequest(form)),
  change: (id: number, form: ArticleForm) => staffHttp.put<StaffArticle>(`/v1/staff/help/articles/${id}`, toRequest(form)),
  remove: (id: number) => staffHttp.delete<{ id: number; deleted: boolean }>(`/v1/staff/help/articles/${id}`),
  preview: (body: string) => staffHttp.post<{ html: string }>("/v1/staff/help/preview", { body }),
  translate: (id: number, language: string, form: TranslationForm) =>
    staffHttp.put<StaffArticle>(translationPath(id, language), { title: form.title.trim(), body: form.body }),
  untranslate: (id: number, language: string) => staffHttp.delete<StaffArticle>(translationPath(id, language)),
};

function translationPath(id: number, language: string): string {
  return `/v1/staff/help/articles/${id}/translations/${encodeURIComponent(language)}`;
}

/** The article's translation into `language`, if it has one. */
export function translationOf(article: StaffArticle, language: string): StaffTranslation | undefined {
  return article.translations.find((t) => t.language === language);
}

/** The form for the article's text in `language`: its translation, or empty to write one. */
export function translationForm(article: StaffArticle, language: string): TranslationForm {
  const translation = translationOf(article, language);
  return translation ? { title: translation.title, body: translation.body } : { title: "", body: "" };
}

export const emptyArticle: ArticleForm = { slug: "", title: "", body: "", published: false };

export function articleForm(article: StaffArticle): ArticleForm {
  return { slug: article.slug, title: article.title, body: article.body, published: article.published };
}

/** A slug from a title: lower-case words of letters and digits joined by "-" ("Gas & fees" -> "gas-fees"). */
export function slugFromTitle(title: string): string {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents off: "é" -> "e"
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG_CHARS)
    .replace(/-+$/, "");
}

export function articleProblems(form: ArticleForm): Partial<Record<keyof ArticleForm, MessageKey>> {
  const problems: Partial<Record<keyof ArticleForm, MessageKey>> = translationProblems(form);
  const slug = form.slug.trim();
  if (!SLUG.test(slug) || slug.length > MAX_SLUG_CHARS) problems.slug = "help.staff.slugInvalid";
  return problems;
}

/** A title and a body, as an article or a translation needs them. */
export function translationProblems(form: TranslationForm): Partial<Record<keyof TranslationForm, MessageKey>> {
  const problems: Partial<Record<keyof TranslationForm, MessageKey>> = {};
  if (!form.title.trim()) problems.title = "help.staff.titleRequired";
  else if (form.title.trim().length > MAX_TITLE_CHARS) problems.title = "help.staff.titleTooLong";
  if (!form.body.trim()) problems.body = "help.staff.bodyRequired";
  else if (form.body.length > MAX_BODY_CHARS) problems.body = "help.staff.bodyTooLong";
  return problems;
}

function toRequest(form: ArticleForm): ArticleForm {
  return { slug: form.slug.trim(), title: form.title.trim(), body: form.body, published: form.published };
}
