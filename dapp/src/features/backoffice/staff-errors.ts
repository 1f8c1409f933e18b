/**
 * Staff API refusals in words: a 403 says plainly that the role may not do this (the page hides what it
 * can, but the server decides), a stale CSRF token asks for a reload; other errors keep the API's message.
 */
import type { MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { errorText } from "../../lib/errors";

const KNOWN: Record<string, MessageKey> = {
  STAFF_CSRF_FAILED: "backoffice.error.csrf",
  STAFF_NOT_SIGNED_IN: "backoffice.error.expired",
  STAFF_BAD_CREDENTIALS: "backoffice.error.badCredentials",
  STAFF_TOTP_INVALID: "backoffice.error.badCode",
  STAFF_CHALLENGE_INVALID: "backoffice.error.challenge",
  STAFF_LOCKED: "backoffice.error.locked",
  STAFF_RESET_LINK_INVALID: "backoffice.error.resetLink",
  STAFF_LAST_ADMIN: "backoffice.error.lastAdmin",
  // the server's words ("another article has the slug 'x'") are English in every language
  HELP_SLUG_TAKEN: "backoffice.error.slugTaken",
  // a file staff attach to a ticket answer is refused as a wallet's is, in the same words
  UPLOAD_TOO_LARGE: "support.apiError.UPLOAD_TOO_LARGE",
  BODY_TOO_LARGE: "support.apiError.UPLOAD_TOO_LARGE",
  UPLOAD_TYPE_REFUSED: "support.apiError.UPLOAD_TYPE_REFUSED",
};

// INVALID_FIELD refusals of the fields staff fill in, in the app's words (the server's are for API clients).
const INVALID_FIELDS: Record<string, MessageKey> = {
  assignee: "backoffice.error.field.assignee",
  email: "backoffice.error.field.email",
  reason: "backoffice.error.field.reason",
  role: "backoffice.error.field.role",
  title: "backoffice.error.field.title",
  body: "backoffice.error.field.body",
};

export function staffErrorText(error: unknown, t: (key: MessageKey, params?: Record<string, string | number>) => string): string {
  if (error instanceof ApiError) {
    const key = KNOWN[error.code];
    if (error.code === "STAFF_LOCKED" && error.retryAfter !== null) return t("backoffice.error.lockedFor", { seconds: error.retryAfter });
    if (key) return t(key);
    const field = error.code === "INVALID_FIELD" && error.field ? INVALID_FIELDS[error.field] : undefined;
    if (field) return t(field);
    // The server's message names the permission the role lacks. Other 403s (a wallet still blocked) are no
    // question of the role: their own message says what is wrong.
    if (error.code === "STAFF_FORBIDDEN") return t("backoffice.error.forbidden", { detail: error.message });
  }
  return errorText(error, t);
}
