/**
 * Refusals of the account API in the user's language; anything else keeps the API's message (which
 * says what to send instead, in English).
 */
import type { MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { errorText } from "../../lib/errors";

const KNOWN: Record<string, MessageKey> = {
  NOT_SIGNED_IN: "accountPage.apiError.NOT_SIGNED_IN",
  ACCOUNT_FORBIDDEN: "accountPage.apiError.NOT_SIGNED_IN",
  EMAIL_LINK_INVALID: "accountPage.apiError.EMAIL_LINK_INVALID",
  JURISDICTION_RESTRICTED: "accountPage.apiError.JURISDICTION_RESTRICTED",
  KYC_ALREADY_PENDING: "accountPage.apiError.KYC_ALREADY_PENDING",
  KYC_ALREADY_APPROVED: "accountPage.apiError.KYC_ALREADY_APPROVED",
  KYC_LEVEL_REQUIRED: "accountPage.apiError.KYC_LEVEL_REQUIRED",
  UPLOAD_TOO_LARGE: "accountPage.apiError.UPLOAD_TOO_LARGE",
  UPLOAD_TYPE_REFUSED: "accountPage.apiError.UPLOAD_TYPE_REFUSED",
};

/** One sentence for a failed account request. */
export function accountErrorText(error: unknown, t: (key: MessageKey) => string): string {
  const key = error instanceof ApiError ? KNOWN[error.code] : undefined;
  return key ? t(key) : errorText(error, t);
}
