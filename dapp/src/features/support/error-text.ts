/** Refusals of the support API in the user's language; anything else keeps the shared wording. */
import type { MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { errorText } from "../../lib/errors";

const KNOWN: Record<string, MessageKey> = {
  TICKET_LIMIT_REACHED: "support.apiError.TICKET_LIMIT_REACHED",
  TICKET_MESSAGE_LIMIT_REACHED: "support.apiError.TICKET_MESSAGE_LIMIT_REACHED",
  TICKET_CLOSED: "support.apiError.TICKET_CLOSED",
  TICKET_NOT_FOUND: "support.apiError.TICKET_NOT_FOUND",
  TICKET_ATTACHMENT_NOT_FOUND: "support.apiError.TICKET_ATTACHMENT_NOT_FOUND",
  TICKET_TRANSITION_INVALID: "support.apiError.TICKET_TRANSITION_INVALID",
  UPLOAD_TOO_LARGE: "support.apiError.UPLOAD_TOO_LARGE",
  BODY_TOO_LARGE: "support.apiError.UPLOAD_TOO_LARGE",
  UPLOAD_TYPE_REFUSED: "support.apiError.UPLOAD_TYPE_REFUSED",
};

/** One sentence for a failed support request. */
export function supportErrorText(error: unknown, t: (key: MessageKey) => string): string {
  const key = error instanceof ApiError ? KNOWN[error.code] : undefined;
  return key ? t(key) : errorText(error, t);
}
