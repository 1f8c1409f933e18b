/**
 * Refusals of the account API in the user's language; anything else keeps the API's message (which
 * says what to send instead, in English).
 */
import type { MessageKey, MessageParams } from "../../i18n";
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

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** A wait of `seconds` in words, rounded up as the server rounds it: hours past two of them, else minutes. */
export function waitText(seconds: number, t: Translate): string {
  return seconds > 7200
    ? t("accountPage.wait.hours", { count: Math.ceil(seconds / 3600) })
    : t("accountPage.wait.minutes", { count: Math.max(1, Math.ceil(seconds / 60)) });
}

/** A 429 in words, with its Retry-After: a saved e-mail address refused because its inbox has links out already
 * (or this connection saved too many addresses), or too many uploads. */
function rateLimitedText(error: ApiError, t: Translate): string | null {
  if (error.code !== "RATE_LIMITED" || error.retryAfter === null) return null;
  const key = error.field === "email" ? "accountPage.apiError.RATE_LIMITED_EMAIL" : "accountPage.apiError.RATE_LIMITED";
  return t(key, { wait: waitText(error.retryAfter, t) });
}

/** One sentence for a failed account request. */
export function accountErrorText(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return errorText(error, t);
  const key = KNOWN[error.code];
  return key ? t(key) : (rateLimitedText(error, t) ?? errorText(error, t));
}
