/**
 * A case's logic, apart from React: the status changes a case may make next (the server checks again:
 * CASE_TRANSITION_INVALID), the words for statuses, and the check of a note.
 */
import type { MessageKey } from "../../i18n";
import type { Problem } from "./forms";
import type { CaseStatus } from "./staff-types";

export const CASE_STATUSES: readonly CaseStatus[] = ["open", "investigating", "escalated", "closed"];

export const CASE_STATUS_NAMES: Record<CaseStatus, MessageKey> = {
  open: "backoffice.cases.status.open",
  investigating: "backoffice.cases.status.investigating",
  escalated: "backoffice.cases.status.escalated",
  closed: "backoffice.cases.status.closed",
};

/** The buttons that move a case, in the order a case usually goes. */
export const CASE_ACTIONS: readonly { to: Exclude<CaseStatus, "open">; label: MessageKey; done: MessageKey }[] = [
  { to: "investigating", label: "backoffice.cases.startInvestigation", done: "backoffice.cases.investigating" },
  { to: "escalated", label: "backoffice.cases.escalate", done: "backoffice.cases.escalated" },
  { to: "closed", label: "backoffice.cases.close", done: "backoffice.cases.closed" },
];

const NEXT: Record<CaseStatus, readonly CaseStatus[]> = {
  open: ["investigating", "escalated", "closed"],
  investigating: ["escalated", "closed"],
  escalated: ["investigating", "closed"],
  closed: [], // reopening (closed -> open) is for the API and the CLI, not a button here
};

/** Whether a case in `from` may move to `to` (as backend/api/routes/staff_alerts.py allows). */
export function mayMove(from: CaseStatus, to: CaseStatus): boolean {
  return NEXT[from].includes(to);
}

export const MAX_NOTE_CHARS = 5000;

export function noteProblem(body: string): Problem | null {
  const text = body.trim();
  if (!text) return { key: "backoffice.cases.noteRequired" };
  if (text.length > MAX_NOTE_CHARS) return { key: "backoffice.error.reasonTooLong", params: { max: MAX_NOTE_CHARS } };
  return null;
}
