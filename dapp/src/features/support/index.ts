import { lazy } from "react";

/** The signed-in user's tickets (`/support[/<id>]`), in its own chunk. */
export const SupportPage = lazy(() => import("./support-page"));
// The desk's words and rules, for the back office's support section (no I/O, no page).
export {
  CATEGORIES,
  CATEGORY_NAMES,
  MAX_MESSAGE_CHARS,
  STATUSES,
  STATUS_NAMES,
  durationText,
  durationWords,
  messageProblem,
  type Category,
  type Problem,
  type TicketStatus,
} from "./support-logic";
export type { Attachment, Ticket } from "./support-api";
