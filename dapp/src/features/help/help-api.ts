/** The public help-center API: published articles, searched, and one article by slug, each in the reader's
 * language (`lang`) where translated, else in English (`language` says which). */
import { api } from "../../lib/api-client";

export interface ArticleSummary {
  slug: string;
  /** As typed by staff: shown as text only. */
  title: string;
  /** Plain text: shown as text only. */
  excerpt: string;
  updatedAt: number;
  /** The language of the title and excerpt: the reader's where translated, else "en". */
  language: string;
}

export interface Article {
  slug: string;
  title: string;
  /** Rendered and sanitized by the server (backend/markup.py): the only HTML inserted as HTML. */
  bodyHtml: string;
  updatedAt: number;
  /** The language of the title and body: the reader's where translated, else "en". */
  language: string;
  /** A translation written before the English text last changed: the English may say more. */
  outdated: boolean;
}

/** The slug of an article path's rest, or null when it cannot be one (nothing is fetched for it). */
export function slugOf(rest: string | null): string | null {
  return rest !== null && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(rest) && rest.length <= 80 ? rest : null;
}

export const helpApi = {
  search: (q: string, lang: string) =>
    api.get<{ articles: ArticleSummary[] }>("/v1/help/articles", { query: { q: q.trim() || undefined, lang } }),
  article: (slug: string, lang: string) => api.get<Article>(`/v1/help/articles/${encodeURIComponent(slug)}`, { query: { lang } }),
};
