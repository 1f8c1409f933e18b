/**
 * Staff API refusals in words. Every error code a back-office action can get (the staff routes and the staff side
 * of support, forum, help, announcements, alerts and cases, KYC review, frozen funds, markets, risk, statistics) has
 * a message in the page's language: the server's messages are English, for API clients. A 403 says plainly that the
 * role may not do this (the page hides what it can, but the server decides). Left with the server's message: an
 * INVALID_FIELD of a field staff do not fill in (the page sent it: the message says what is wrong), and codes only
 * wallets get (FORUM_BANNED, TICKET_LIMIT_REACHED, KYC_ALREADY_PENDING, ...).
 */
import type { MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { errorText } from "../../lib/errors";

const KNOWN: Record<string, MessageKey> = {
  // sign-in and the staff list
  STAFF_CSRF_FAILED: "backoffice.error.csrf",
  STAFF_NOT_SIGNED_IN: "backoffice.error.expired",
  STAFF_BAD_CREDENTIALS: "backoffice.error.badCredentials",
  STAFF_TOTP_INVALID: "backoffice.error.badCode",
  STAFF_CHALLENGE_INVALID: "backoffice.error.challenge",
  STAFF_LOCKED: "backoffice.error.locked",
  STAFF_RESET_LINK_INVALID: "backoffice.error.resetLink",
  STAFF_WEAK_PASSWORD: "backoffice.error.weakPassword",
  STAFF_LAST_ADMIN: "backoffice.error.lastAdmin",
  STAFF_NOT_FOUND: "backoffice.error.staffNotFound",
  STAFF_EMAIL_TAKEN: "backoffice.error.emailTaken",
  // help center, support desk, announcements
  HELP_SLUG_TAKEN: "backoffice.error.slugTaken",
  HELP_ARTICLE_NOT_FOUND: "backoffice.error.articleNotFound",
  TICKET_NOT_FOUND: "backoffice.error.ticketNotFound",
  TICKET_CLOSED: "backoffice.error.ticketClosed",
  TICKET_TRANSITION_INVALID: "backoffice.error.ticketTransition",
  // a file staff attach to a ticket answer is refused as a wallet's is, in the same words
  TICKET_ATTACHMENT_NOT_FOUND: "support.apiError.TICKET_ATTACHMENT_NOT_FOUND",
  UPLOAD_TOO_LARGE: "support.apiError.UPLOAD_TOO_LARGE",
  BODY_TOO_LARGE: "support.apiError.UPLOAD_TOO_LARGE",
  UPLOAD_TYPE_REFUSED: "support.apiError.UPLOAD_TYPE_REFUSED",
  SAVED_REPLY_NOT_FOUND: "backoffice.error.savedReplyNotFound",
  SAVED_REPLY_TITLE_TAKEN: "backoffice.error.savedReplyTitleTaken",
  ANNOUNCEMENT_NOT_FOUND: "backoffice.error.announcementNotFound",
  ANNOUNCEMENT_WINDOW_INVALID: "backoffice.error.announcementWindow",
  ANNOUNCEMENT_WITHDRAWN: "backoffice.error.announcementWithdrawn",
  // forum moderation
  FORUM_ALREADY_BANNED: "backoffice.error.forumAlreadyBanned",
  FORUM_BAN_NOT_FOUND: "backoffice.error.forumBanNotFound",
  FORUM_CATEGORY_EXISTS: "backoffice.error.forumCategoryExists",
  FORUM_CATEGORY_NOT_EMPTY: "backoffice.error.forumCategoryNotEmpty",
  FORUM_CATEGORY_NOT_FOUND: "backoffice.error.forumCategoryNotFound",
  FORUM_THREAD_NOT_FOUND: "backoffice.error.forumThreadNotFound",
  FORUM_POST_NOT_FOUND: "backoffice.error.forumPostNotFound",
  FORUM_REPORT_NOT_FOUND: "backoffice.error.forumReportNotFound",
  FORUM_REPORT_CLOSED: "backoffice.error.forumReportClosed",
  // compliance: alerts and cases, frozen funds, KYC review, the deny list
  ALERT_NOT_FOUND: "backoffice.error.alertNotFound",
  CASE_NOT_FOUND: "backoffice.error.caseNotFound",
  CASE_TRANSITION_INVALID: "backoffice.error.caseTransition",
  NO_WITHDRAWAL_PAUSE: "backoffice.error.noWithdrawalPause",
  FROZEN_FUNDS_NOT_FOUND: "backoffice.error.frozenNotFound",
  FROZEN_FUNDS_NOT_HELD: "backoffice.error.frozenNotHeld",
  KYC_SUBMISSION_NOT_FOUND: "backoffice.error.submissionNotFound",
  KYC_DOCUMENT_NOT_FOUND: "backoffice.error.documentNotFound",
  KYC_NOT_PENDING: "backoffice.error.submissionDecided",
  KYC_LEVEL_REQUIRED: "backoffice.error.levelRequired",
  SCREENING_UNAVAILABLE: "backoffice.error.screeningUnavailable",
  // markets, risk, statistics
  UNKNOWN_MARKET: "backoffice.error.unknownMarket",
  INVALID_RISK_SETTING: "backoffice.error.riskSetting",
  STATS_RANGE_INVALID: "backoffice.error.statsRange",
  STATS_TABLE_UNKNOWN: "backoffice.error.statsTable",
  // any request: the exchange's own words for these, as the trading page says them
  NOT_FOUND: "backoffice.error.notFound",
  CROSS_ORIGIN_REQUEST: "backoffice.error.crossOrigin",
  MALFORMED_JSON: "backoffice.error.malformed",
  RATE_LIMITED: "order.apiError.RATE_LIMITED",
  UNAVAILABLE: "order.apiError.UNAVAILABLE",
  ENGINE_BUSY: "order.apiError.ENGINE_BUSY",
  ENGINE_TIMEOUT: "order.apiError.ENGINE_TIMEOUT",
};

// A code that means another thing by the field it names ("code field"): these win over KNOWN.
const BY_FIELD: Record<string, MessageKey> = {
  "STAFF_EMAIL_TAKEN id": "backoffice.error.noInvitation", // sending an invitation again to an account in use
  "CASE_TRANSITION_INVALID reason": "backoffice.error.reasonRequired",
  "CASE_TRANSITION_INVALID alertIds": "backoffice.error.alertsTaken",
  "CASE_TRANSITION_INVALID alertId": "backoffice.error.alertInCase",
  // the server names a risk setting as the request body does (RiskChange: alertBps), not as it stores it (alert_bps)
  "INVALID_RISK_SETTING alertBps": "backoffice.risk.alertBelowBreaker",
  "INVALID_RISK_SETTING feedAlertBps": "backoffice.risk.feedAlertBelowHalt",
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

/** The message key of a refusal, or undefined where the server's message is kept. */
function keyOf(error: ApiError): MessageKey | undefined {
  if (error.code === "INVALID_FIELD") return error.field ? INVALID_FIELDS[error.field] : undefined;
  const byField = error.field ? BY_FIELD[`${error.code} ${error.field}`] : undefined;
  return byField ?? KNOWN[error.code];
}

export function staffErrorText(error: unknown, t: (key: MessageKey, params?: Record<string, string | number>) => string): string {
  if (error instanceof ApiError) {
    if (error.code === "STAFF_LOCKED" && error.retryAfter !== null) return t("backoffice.error.lockedFor", { seconds: error.retryAfter });
    const key = keyOf(error);
    if (key) return t(key);
    // The server's message names the permission the role lacks. Other 403s (a wallet still blocked) are no
    // question of the role: their own message says what is wrong.
    if (error.code === "STAFF_FORBIDDEN") return t("backoffice.error.forbidden", { detail: error.message });
  }
  return errorText(error, t);
}
