/**
 * The support desk's staff API (`/v1/staff/support/...`, permission support.manage) and its rules as the back
 * office needs them, with no I/O: the status moves staff may make (the server's backend/support/rules.py,
 * which checks again), a saved reply put into an answer, and the statistics' date range.
 */
import type { MessageKey } from "../../i18n";
import type { Query } from "../../lib/api-client";
import { jsonOrMultipart, messageProblem, type Attachment, type Problem, type Ticket, type TicketStatus } from "../support";
import { staffHttp } from "./staff-api";

/** A ticket as the wallet sees it, with who opened it and who works it. */
export interface StaffTicket extends Ticket {
  address: string;
  assignee: string | null;
}

export type MessageKind = "user" | "reply" | "note";

export interface StaffMessage {
  id: number;
  kind: MessageKind;
  author: string;
  body: string;
  /** Rendered and sanitized by the server: the only HTML inserted as HTML. */
  html: string;
  createdAt: number;
  attachments: Attachment[];
}

export interface StaffTicketDetail {
  ticket: StaffTicket;
  messages: StaffMessage[];
}

export interface StaffTicketPage {
  tickets: StaffTicket[];
  next: string | null;
}

export interface SavedReply {
  id: number;
  title: string;
  body: string;
  html: string;
  updatedBy: string;
  updatedAt: number;
}

export interface SupportDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  opened: number;
  resolved: number;
  medianFirstResponseMs: number | null;
  medianResolutionMs: number | null;
}

export interface QueueFilter {
  status: TicketStatus | "";
  /** A staff e-mail, "none" for nobody's, "" for anyone's. */
  assignee: string;
}

const BASE = "/v1/staff/support";
const enc = encodeURIComponent;

export const supportStaffApi = {
  /** `polled` (the queue and a ticket): read again by the page itself, not asked for by the member. */
  queue: (filter: QueueFilter, cursor: string | null, polled = false) => {
    const query: Query = { limit: 50, cursor, status: filter.status || null, assignee: filter.assignee || null };
    return (polled ? staffHttp.poll : staffHttp.get)<StaffTicketPage>(`${BASE}/tickets`, query);
  },
  ticket: (id: number, polled = false) =>
    (polled ? staffHttp.poll : staffHttp.get)<StaffTicketDetail>(`${BASE}/tickets/${enc(String(id))}`),
  assign: (id: number, assignee: string | null) => staffHttp.post<StaffTicketDetail>(`${BASE}/tickets/${id}/assign`, { assignee }),
  /** JSON, or multipart/form-data when a file is attached (the same fields and the `attachment`). */
  answer: (id: number, body: string, internal: boolean, attachment: File | null = null) =>
    staffHttp.post<StaffTicketDetail>(`${BASE}/tickets/${id}/messages`, jsonOrMultipart({ body, internal }, attachment)),
  setStatus: (id: number, status: TicketStatus) => staffHttp.post<StaffTicketDetail>(`${BASE}/tickets/${id}/status`, { status }),
  attachment: (id: number) => staffHttp.download(`${BASE}/attachments/${id}`),
  assignees: () => staffHttp.get<{ assignees: string[] }>(`${BASE}/assignees`),
  savedReplies: () => staffHttp.get<{ savedReplies: SavedReply[] }>(`${BASE}/saved-replies`),
  createSavedReply: (title: string, body: string) => staffHttp.post<SavedReply>(`${BASE}/saved-replies`, { title, body }),
  updateSavedReply: (id: number, title: string, body: string) => staffHttp.put<SavedReply>(`${BASE}/saved-replies/${id}`, { title, body }),
  deleteSavedReply: (id: number) => staffHttp.delete<{ id: number; deleted: true }>(`${BASE}/saved-replies/${id}`),
  stats: (from: string, to: string) => staffHttp.get<{ days: SupportDay[] }>(`${BASE}/stats`, { from, to }),
};

/** The moves staff may make from each state (as backend/support/rules.py says). */
export const STAFF_MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ["waiting_for_user", "resolved", "closed"],
  waiting_for_user: ["open", "resolved", "closed"],
  resolved: ["open", "closed"],
  closed: ["open"],
};

export function mayMove(from: TicketStatus, to: TicketStatus): boolean {
  return STAFF_MOVES[from].includes(to);
}

/** The status buttons, in the order a ticket usually goes. */
export const STATUS_ACTIONS: readonly { to: TicketStatus; label: MessageKey }[] = [
  { to: "waiting_for_user", label: "supportDesk.move.waiting_for_user" },
  { to: "resolved", label: "supportDesk.move.resolved" },
  { to: "closed", label: "supportDesk.move.closed" },
  { to: "open", label: "supportDesk.move.open" },
];

/** Closing ends the conversation for the user (only staff can reopen it): the page asks before it closes. */
export function asksFirst(to: TicketStatus): boolean {
  return to === "closed";
}

export const KIND_NAMES: Record<MessageKind, MessageKey> = {
  user: "supportDesk.kind.user",
  reply: "supportDesk.kind.reply",
  note: "supportDesk.kind.note",
};

/** The answer with a saved reply added: in place of an empty (or blank) draft, else after a blank line. */
export function withSavedReply(draft: string, saved: string): string {
  return draft.trim() ? `${draft.replace(/\s+$/, "")}\n\n${saved}` : saved;
}

/** YYYY-MM-DD of a UTC day `daysBack` days before the one of `nowMs`. */
export function utcDay(nowMs: number, daysBack = 0): string {
  return new Date(nowMs - daysBack * 86_400_000).toISOString().slice(0, 10);
}

export const MAX_STATS_DAYS = 366;

/** Whether `from` to `to` (YYYY-MM-DD, inclusive) is a range the server serves: in order, at most 366 days. */
export function rangeOk(from: string, to: string): boolean {
  const pattern = /^\d{4}-\d{2}-\d{2}$/;
  if (!pattern.test(from) || !pattern.test(to)) return false;
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return false;
  return (end - start) / 86_400_000 + 1 <= MAX_STATS_DAYS;
}

export const MAX_SAVED_TITLE_CHARS = 120;

/** What is wrong with a saved reply's title and text, in words (empty: it may be saved). */
export function savedReplyProblems(title: string, body: string): Partial<Record<"title" | "body", Problem>> {
  const problems: Partial<Record<"title" | "body", Problem>> = {};
  const trimmed = title.trim();
  if (!trimmed) problems.title = { key: "support.problem.required" };
  else if (trimmed.length > MAX_SAVED_TITLE_CHARS || /[\u0000-\u001f\u007f]/.test(trimmed))
    problems.title = { key: "support.problem.subject", params: { max: MAX_SAVED_TITLE_CHARS } };
  const bodyProblem = messageProblem(body);
  if (bodyProblem) problems.body = bodyProblem;
  return problems;
}
