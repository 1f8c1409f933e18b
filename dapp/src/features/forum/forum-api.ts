/** The forum's API (public reads, signed-in writes) and the pure rules of its pages: paths, errors, limits. */
import type { MessageKey, MessageParams } from "../../i18n";
import { api, ApiError } from "../../lib/api-client";

export interface Category {
  id: number;
  slug: string;
  /** Text only, like every title, reason and source below. */
  name: string;
  description: string;
  threadCount: number;
  /** The language of name and description: the reader's where translated, else "en". */
  language: string;
}

export interface Thread {
  id: number;
  category: string;
  title: string;
  author: string;
  pinned: boolean;
  locked: boolean;
  hidden: boolean;
  replyCount: number;
  createdAt: number;
  lastPostAt: number;
}

export interface Post {
  id: number;
  threadId: number;
  author: string;
  /** The Markdown as typed: text only. */
  message: string;
  /** Rendered and sanitized by the server (backend/markup.py): the only HTML inserted as HTML. */
  messageHtml: string;
  hidden: boolean;
  createdAt: number;
}

export interface SearchHit {
  post: Post;
  threadTitle: string;
  category: string;
}


export const MAX_TITLE_CHARS = 200;
export const MIN_TITLE_CHARS = 3;
export const MAX_MESSAGE_CHARS = 20_000;
export const MAX_REASON_CHARS = 500;
export const PAGE_SIZE = 20;

export const forumApi = {
  categories: (lang: string) => api.get<{ categories: Category[] }>("/v1/forum/categories", { query: { lang } }),
  threads: (category: string | null, cursor: string | null) =>
    api.get<{ threads: Thread[]; next: string | null }>("/v1/forum/threads", {
      query: { category: category ?? undefined, cursor: cursor ?? undefined, limit: PAGE_SIZE },
    }),
  thread: (id: number) => api.get<Thread>(`/v1/forum/threads/${id}`),
  posts: (id: number, cursor: string | null) =>
    api.get<{ posts: Post[]; next: string | null }>(`/v1/forum/threads/${id}/posts`, {
      query: { cursor: cursor ?? undefined, limit: PAGE_SIZE },
    }),
  search: (q: string, sort: SearchSort, cursor: string | null) =>
    api.get<{ results: SearchHit[]; next: string | null }>("/v1/forum/search", {
      query: { q, sort, cursor: cursor ?? undefined, limit: PAGE_SIZE },
    }),
  newThread: (category: string, title: string, message: string) =>
    api.post<{ thread: Thread; post: Post }>("/v1/forum/threads", { category, title, message }),
  reply: (threadId: number, message: string) => api.post<Post>(`/v1/forum/threads/${threadId}/posts`, { message }),
  report: (postId: number, reason: string) => api.post<{ id: number }>(`/v1/forum/posts/${postId}/report`, { reason }),
};

/** What a forum path's rest shows: the categories, a category's threads (`c/<slug>`), a thread (`t/<id>`),
 *  a search (`search?q=` is read from the query string, not here), or nothing known. */
export type ForumView =
  | { kind: "home" }
  | { kind: "category"; slug: string }
  | { kind: "thread"; id: number }
  | { kind: "search" }
  | { kind: "unknown" };

export function forumView(rest: string | null): ForumView {
  if (rest === null || rest === "") return { kind: "home" };
  if (rest === "search") return { kind: "search" };
  const category = /^c\/([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)$/.exec(rest);
  if (category) return { kind: "category", slug: category[1] as string };
  const thread = /^t\/([1-9][0-9]{0,9})$/.exec(rest);
  if (thread && Number(thread[1]) <= 2 ** 31 - 1) return { kind: "thread", id: Number(thread[1]) };
  return { kind: "unknown" };
}

/** How search results come: best match first (the server's default) or newest first. */
export type SearchSort = "relevance" | "newest";

/** The order a search page's `?sort=` asks for; anything else is the default. */
export function searchSort(value: string | null): SearchSort {
  return value === "newest" ? "newest" : "relevance";
}

export const forumPaths = {
  home: "/forum",
  category: (slug: string) => `/forum/c/${slug}`,
  thread: (id: number) => `/forum/t/${id}`,
  search: (q: string, sort: SearchSort = "relevance") =>
    `/forum/search?q=${encodeURIComponent(q)}${sort === "newest" ? "&sort=newest" : ""}`,
};

const KNOWN: Record<string, MessageKey> = {
  NOT_SIGNED_IN: "forum.error.notSignedIn",
  FORUM_BANNED: "forum.error.banned",
  FORUM_THREAD_LOCKED: "forum.error.locked",
  FORUM_ALREADY_REPORTED: "forum.error.alreadyReported",
  FORUM_THREAD_NOT_FOUND: "forum.error.threadNotFound",
  FORUM_POST_NOT_FOUND: "forum.error.postNotFound",
  FORUM_CATEGORY_NOT_FOUND: "forum.error.categoryNotFound",
};

/** The message key and parameters of a forum refusal the page words itself; null: show the API's message. */
export function forumErrorMessage(error: unknown): { key: MessageKey; params?: MessageParams } | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === "FORUM_POSTING_LIMITED")
    return error.retryAfter !== null
      ? { key: "forum.error.limitedFor", params: { seconds: error.retryAfter } }
      : { key: "forum.error.limited" };
  const key = KNOWN[error.code];
  return key ? { key } : null;
}

export type Problem = { key: MessageKey; params?: MessageParams } | null;

/** What is wrong with a title before it is sent (the server checks again). */
export function titleProblem(title: string): Problem {
  const length = title.trim().replace(/\s+/g, " ").length;
  if (length < MIN_TITLE_CHARS || length > MAX_TITLE_CHARS)
    return { key: "forum.problem.title", params: { min: MIN_TITLE_CHARS, max: MAX_TITLE_CHARS } };
  return null;
}

export function messageProblem(message: string): Problem {
  const length = message.trim().length;
  return length < 1 || length > MAX_MESSAGE_CHARS ? { key: "forum.problem.message", params: { max: MAX_MESSAGE_CHARS } } : null;
}

export function reasonProblem(reason: string): Problem {
  const length = reason.trim().length;
  return length < 1 || length > MAX_REASON_CHARS ? { key: "forum.problem.reason", params: { max: MAX_REASON_CHARS } } : null;
}
