import { lazy } from "react";

/** The signed-in user's tickets (`/support[/<id>]`), in its own chunk. */
export const SupportPage = lazy(() => import("./support-page"));
// For the back office's support section: the desk's words and rules (no I/O, no page), and what staff's answer
// shares with the wallet's reply (the file field, the body with a file, what is left of a draft once sent).
export { AttachmentField } from "./attachment-field";
export { jsonOrMultipart } from "./message-body";
export { useMessageDraft } from "./message-draft";
export {
  CATEGORIES,
  CATEGORY_NAMES,
  MAX_MESSAGE_CHARS,
  STATUSES,
  STATUS_NAMES,
  attachmentProblem,
  durationText,
  durationWords,
  messageProblem,
  type Category,
  type Problem,
  type TicketStatus,
} from "./support-logic";
export type { Attachment, Ticket } from "./support-api";
