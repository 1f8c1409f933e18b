/**
 * The support desk's rules as the pages need them, with no I/O: categories and states and their names, the
 * checks a new ticket and a reply pass in words before anything is sent (the server checks again), and
 * durations in words. Shared by the user's page and the back office.
 */
import type { I18n, MessageKey, MessageParams } from "../../i18n";

export const CATEGORIES = ["account", "deposit", "withdrawal", "trading", "kyc", "other"] as const;
export type Category = (typeof CATEGORIES)[number];
export const STATUSES = ["open", "waiting_for_user", "resolved", "closed"] as const;
export type TicketStatus = (typeof STATUSES)[number];

export const MAX_SUBJECT_CHARS = 200;
export const MAX_MESSAGE_CHARS = 10_000;
/** The server's default (HDEX_SUPPORT_MAX_ATTACHMENT_BYTES); it refuses a larger file itself if set lower. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const ATTACHMENT_TYPES = ["image/png", "image/jpeg", "application/pdf"] as const;
export const ATTACHMENT_ACCEPT = ".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf";

export const CATEGORY_NAMES: Record<Category, MessageKey> = {
  account: "support.category.account",
  deposit: "support.category.deposit",
  withdrawal: "support.category.withdrawal",
  trading: "support.category.trading",
  kyc: "support.category.kyc",
  other: "support.category.other",
};

export const STATUS_NAMES: Record<TicketStatus, MessageKey> = {
  open: "support.status.open",
  waiting_for_user: "support.status.waiting_for_user",
  resolved: "support.status.resolved",
  closed: "support.status.closed",
};

export interface Problem {
  key: MessageKey;
  params?: MessageParams;
}

export interface TicketDraft {
  category: string;
  subject: string;
  message: string;
  attachment: Pick<File, "size" | "type" | "name"> | null;
}

export type TicketField = "category" | "subject" | "message" | "attachment";

/** What is wrong with each field of a new ticket, in words (empty: it may be sent). */
export function ticketProblems(draft: TicketDraft): Partial<Record<TicketField, Problem>> {
  const problems: Partial<Record<TicketField, Problem>> = {};
  if (!(CATEGORIES as readonly string[]).includes(draft.category)) problems.category = { key: "support.problem.category" };
  const subject = draft.subject.trim();
  if (!subject) problems.subject = { key: "support.problem.required" };
  else if (subject.length > MAX_SUBJECT_CHARS || /[\u0000-\u001f\u007f]/.test(subject))
    problems.subject = { key: "support.problem.subject", params: { max: MAX_SUBJECT_CHARS } };
  const message = messageProblem(draft.message);
  if (message) problems.message = message;
  const attachment = attachmentProblem(draft.attachment);
  if (attachment) problems.attachment = attachment;
  return problems;
}

export interface ReplyDraft {
  body: string;
  attachment: Pick<File, "size" | "type" | "name"> | null;
}

/** What is wrong with each field of a reply, in words (empty: it may be sent); the attachment as on opening. */
export function replyProblems(draft: ReplyDraft): Partial<Record<"body" | "attachment", Problem>> {
  const problems: Partial<Record<"body" | "attachment", Problem>> = {};
  const body = messageProblem(draft.body);
  if (body) problems.body = body;
  const attachment = attachmentProblem(draft.attachment);
  if (attachment) problems.attachment = attachment;
  return problems;
}

/** What is wrong with a message or reply body, in words; null if nothing. */
export function messageProblem(body: string): Problem | null {
  if (!body.trim()) return { key: "support.problem.required" };
  if (body.length > MAX_MESSAGE_CHARS) return { key: "support.problem.message", params: { max: MAX_MESSAGE_CHARS } };
  return null;
}

/** What is wrong with a picked attachment, by its size and declared type or name (the server sniffs the bytes). */
export function attachmentProblem(file: Pick<File, "size" | "type" | "name"> | null): Problem | null {
  if (!file) return null;
  if (file.size > MAX_ATTACHMENT_BYTES) return { key: "support.problem.attachmentSize", params: { max: MAX_ATTACHMENT_BYTES / 1024 / 1024 } };
  const typed = (ATTACHMENT_TYPES as readonly string[]).includes(file.type.toLowerCase());
  const named = /\.(png|jpe?g|pdf)$/i.test(file.name);
  return typed || (!file.type && named) ? null : { key: "support.problem.attachmentType" };
}

/** The wallet may answer a ticket that is not closed, and close one that is not closed yet. */
export function mayAnswer(status: TicketStatus): boolean {
  return status !== "closed";
}

/** A duration in words: under a minute, minutes, hours and minutes, or days and hours. */
export function durationWords(ms: number): Problem {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return { key: "support.duration.underMinute" };
  if (minutes < 60) return { key: "support.duration.minutes", params: { minutes } };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { key: "support.duration.hours", params: { hours, minutes: minutes % 60 } };
  return { key: "support.duration.days", params: { days: Math.floor(hours / 24), hours: hours % 24 } };
}

/** A duration in the reader's words, or the words of `noneKey` while there is none (null). */
export function durationText(t: I18n["t"], ms: number | null, noneKey: MessageKey): string {
  if (ms === null) return t(noneKey);
  const words = durationWords(ms);
  return t(words.key, words.params);
}

/** The ticket id of the page's `rest` of the path (`/support/<id>`), or null for anything else. */
export function ticketIdOf(rest: string | null): number | null {
  if (rest === null || !/^[1-9][0-9]{0,9}$/.test(rest)) return null;
  const id = Number(rest);
  return id <= 2 ** 31 - 1 ? id : null;
}
