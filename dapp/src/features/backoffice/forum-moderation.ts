/** The forum's moderation API (permission forum.moderate; writes carry the CSRF token) and what a moderator
 *  may do next to a thread. Shapes follow backend/api/routes/staff_forum.py. */
import type { MessageKey } from "../../i18n";
import type { Category, Post, Thread } from "../forum/forum-api";
import { staffHttp } from "./staff-api";

/** A post as moderators see it: the same shape users read (hidden ones too). */
export type ModeratedPost = Post;

export interface ForumReport {
  id: number;
  post: ModeratedPost;
  threadId: number;
  threadTitle: string;
  reporter: string;
  reason: string;
  status: "open" | "hidden" | "dismissed";
  openReportsOfPost: number;
  createdAt: number;
  resolvedBy: string | null;
  resolvedAt: number | null;
}

/** A thread as moderators list it: the same shape users read (hidden ones too). */
export type ModeratedThread = Thread;

export interface ForumBan {
  wallet: string;
  reason: string;
  bannedBy: string;
  bannedAt: number;
}

export interface CategoryText {
  name: string;
  description: string;
}

/** A category as moderators edit it: in English, with its name and description in each language it is translated
 *  into. */
export interface StaffCategory extends Category {
  /** `outdated`: written for an English name and description since changed (readers still see it). */
  translations: Record<string, CategoryText & { outdated: boolean }>;
}

/** A category's text as sent: a language left out of `translations` has none; `stillFits`: sent as it was, it
 *  still names what the changed English names. */
export interface CategoryIn extends CategoryText {
  translations: Record<string, CategoryText & { stillFits?: boolean }>;
}

/** A category moved one place: before the one listed before it, or after the next. */
export type CategoryMove = "up" | "down";

export type ThreadAction = "pin" | "unpin" | "lock" | "unlock" | "hide" | "unhide";

export type ReportStatus = ForumReport["status"];


const enc = encodeURIComponent;

export const forumModeration = {
  reports: (status: ReportStatus, cursor: string | null) =>
    staffHttp.get<{ reports: ForumReport[]; next: string | null }>("/v1/staff/forum/reports", { status, cursor }),
  dismiss: (reportId: number) => staffHttp.post<ForumReport>(`/v1/staff/forum/reports/${reportId}/dismiss`),
  hidePost: (postId: number) => staffHttp.post<ModeratedPost>(`/v1/staff/forum/posts/${postId}/hide`),
  unhidePost: (postId: number) => staffHttp.post<ModeratedPost>(`/v1/staff/forum/posts/${postId}/unhide`),
  threads: (cursor: string | null) =>
    staffHttp.get<{ threads: ModeratedThread[]; next: string | null }>("/v1/staff/forum/threads", { limit: 50, cursor }),
  thread: (threadId: number, action: ThreadAction) => staffHttp.post<ModeratedThread>(`/v1/staff/forum/threads/${threadId}/${action}`),
  bans: (cursor: string | null) => staffHttp.get<{ bans: ForumBan[]; next: string | null }>("/v1/staff/forum/bans", { cursor }),
  ban: (wallet: string, reason: string) => staffHttp.post<ForumBan>("/v1/staff/forum/bans", { wallet, reason }),
  categories: () => staffHttp.get<{ categories: StaffCategory[] }>("/v1/staff/forum/categories"),
  addCategory: (slug: string, text: CategoryIn) => staffHttp.post<StaffCategory>("/v1/staff/forum/categories", { slug, ...text }),
  moveCategory: (slug: string, direction: CategoryMove) =>
    staffHttp.post<{ categories: StaffCategory[] }>(`/v1/staff/forum/categories/${enc(slug)}/move`, { direction }),
  deleteCategory: (slug: string) => staffHttp.delete<{ categories: StaffCategory[] }>(`/v1/staff/forum/categories/${enc(slug)}`),
  changeCategory: (slug: string, text: CategoryIn) => staffHttp.put<StaffCategory>(`/v1/staff/forum/categories/${enc(slug)}`, text),
  unban: (wallet: string, reason: string) => staffHttp.post<{ wallet: string }>(`/v1/staff/forum/bans/${enc(wallet)}/unban`, { reason }),
};

/** The three toggles of a thread, each the action that flips it and its button's words. */
export function threadActions(thread: Pick<ModeratedThread, "pinned" | "locked" | "hidden">): { action: ThreadAction; label: MessageKey }[] {
  return [
    thread.pinned ? { action: "unpin", label: "forum.staff.unpin" } : { action: "pin", label: "forum.staff.pin" },
    thread.locked ? { action: "unlock", label: "forum.staff.unlock" } : { action: "lock", label: "forum.staff.lock" },
    thread.hidden ? { action: "unhide", label: "forum.staff.unhideThread" } : { action: "hide", label: "forum.staff.hideThread" },
  ];
}

/** The reports queue's views: open reports, and those closed by hiding their post or by a dismissal (where a post
 *  hidden by mistake is shown again). */
export const REPORT_VIEWS: { status: ReportStatus; label: MessageKey; empty: MessageKey }[] = [
  { status: "open", label: "forum.staff.view.open", empty: "forum.staff.noReports" },
  { status: "hidden", label: "forum.staff.view.hidden", empty: "forum.staff.noClosedReports" },
  { status: "dismissed", label: "forum.staff.view.dismissed", empty: "forum.staff.noClosedReports" },
];

/** What a moderator is told once a thread action is done. */
export const THREAD_ACTION_DONE: Record<ThreadAction, MessageKey> = {
  pin: "backoffice.forum.done.pin",
  unpin: "backoffice.forum.done.unpin",
  lock: "backoffice.forum.done.lock",
  unlock: "backoffice.forum.done.unlock",
  hide: "backoffice.forum.done.hide",
  unhide: "backoffice.forum.done.unhide",
};

/** The start of a post as typed, on one line, to name it in a button's accessible name. */
export function excerpt(message: string, max = 40): string {
  const line = message.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
