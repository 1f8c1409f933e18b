import "./messages";
import { describe, expect, it } from "vitest";
import { translate, type MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { staffErrorText } from "./staff-errors";

const t = (key: MessageKey, params?: Record<string, string | number>) => translate("en", key, params);
const refused = (field: string | null, message = "the assignee is an active member of staff whose role holds cases.manage") =>
  staffErrorText(new ApiError(422, "INVALID_FIELD", message, field), t);

describe("a refused field", () => {
  it("is told in the app's words, not the server's, for the fields staff fill in", () => {
    expect(refused("assignee")).toBe("That member of staff cannot be given this work: choose an active member whose role handles it.");
    expect(refused("email", "not an e-mail address")).toBe("Enter a valid e-mail address, such as name@hdex.example.");
    expect(refused("reason", "String should have at most 500 characters")).toBe("Give a reason of 1 to 500 characters.");
    expect(refused("role", "Input should be 'admin', ...")).toBe("Choose one of the roles offered.");
  });

  it("keeps the server's message for a field the page does not know", () => {
    expect(refused("cursor", "not a cursor of this list")).toBe("not a cursor of this list");
  });
});

describe("a refused staff change", () => {
  it("says in words that the last admin who can sign in must stay", () => {
    const error = new ApiError(409, "STAFF_LAST_ADMIN", "admin@hdex.example is the last admin who can sign in: make another first");
    expect(staffErrorText(error, t)).toBe("This is the last admin who can sign in: make another admin first.");
  });
});

describe("a help article's slug taken by another", () => {
  it("is told in the page's language, not in the server's English", () => {
    const error = new ApiError(409, "HELP_SLUG_TAKEN", "another article has the slug 'depositing'", "slug");
    expect(staffErrorText(error, t)).toBe("Another article has this slug: choose another.");
    expect(staffErrorText(error, (key, params) => translate("zh-CN", key, params))).toBe("另一篇文章已使用此短链接：请另选一个。");
  });
});

// Every refusal a back-office action can get from the server (backend/api/routes/staff*.py and the staff side of
// staff, support, forum, help, announcements, alerts, KYC review, frozen funds, markets, risk, statistics), with
// the field it names where the code means different things by field.
const REFUSALS: [status: number, code: string, field: string | null, english: string][] = [
  [422, "STAFF_WEAK_PASSWORD", "password", "a password has 12 to 256 characters; a long passphrase is best"],
  [404, "STAFF_NOT_FOUND", "id", "no staff account 7"],
  [409, "STAFF_EMAIL_TAKEN", "email", "ann@hdex.example already has a staff account"],
  [409, "STAFF_EMAIL_TAKEN", "id", "ann@hdex.example has accepted the invitation (a password is set): there is no invitation to send again"],
  [404, "HELP_ARTICLE_NOT_FOUND", "id", "no article 3"],
  [404, "TICKET_NOT_FOUND", "ticketId", "no ticket 3"],
  [409, "TICKET_CLOSED", "ticketId", "ticket 3 is closed"],
  [409, "TICKET_TRANSITION_INVALID", "status", "a ticket that is closed cannot move to open"],
  [404, "TICKET_ATTACHMENT_NOT_FOUND", "attachmentId", "no attachment 3"],
  [404, "SAVED_REPLY_NOT_FOUND", "id", "no saved reply 3"],
  [409, "SAVED_REPLY_TITLE_TAKEN", "title", "another saved reply has the title 'Hello'"],
  [404, "ANNOUNCEMENT_NOT_FOUND", "id", "no announcement 3"],
  [422, "ANNOUNCEMENT_WINDOW_INVALID", "endsAt", "the end must be after the start"],
  [409, "ANNOUNCEMENT_WITHDRAWN", "id", "announcement 3 was withdrawn"],
  [409, "FORUM_ALREADY_BANNED", "wallet", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc is banned already"],
  [404, "FORUM_BAN_NOT_FOUND", "wallet", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc is not banned"],
  [409, "FORUM_CATEGORY_EXISTS", "slug", "a category 'general' exists"],
  [409, "FORUM_CATEGORY_NOT_EMPTY", "slug", "1 thread(s) are in 'general' (hidden ones count): a category with threads stays"],
  [404, "FORUM_CATEGORY_NOT_FOUND", "slug", "no category 'general'"],
  [404, "FORUM_THREAD_NOT_FOUND", "threadId", "no thread 3"],
  [404, "FORUM_POST_NOT_FOUND", "postId", "no post 3"],
  [404, "FORUM_REPORT_NOT_FOUND", "reportId", "no report 3"],
  [409, "FORUM_REPORT_CLOSED", "reportId", "report 3 is dismissed"],
  [404, "ALERT_NOT_FOUND", "alertId", "no alert 3"],
  [404, "CASE_NOT_FOUND", "caseId", "no case 3"],
  [409, "CASE_TRANSITION_INVALID", "status", "a case that is closed can move to nothing, not open"],
  [409, "CASE_TRANSITION_INVALID", "reason", "closing a case needs a reason"],
  [409, "CASE_TRANSITION_INVALID", "alertIds", "alert 3 is already in case 2"],
  [409, "CASE_TRANSITION_INVALID", "alertId", "alert 3 is in case 2: close the case"],
  [409, "NO_WITHDRAWAL_PAUSE", null, "withdrawals are not paused"],
  [404, "FROZEN_FUNDS_NOT_FOUND", "id", "no frozen funds 3"],
  [409, "FROZEN_FUNDS_NOT_HELD", "id", "frozen funds 3 were released"],
  [404, "KYC_SUBMISSION_NOT_FOUND", "submissionId", "no submission 3"],
  [404, "KYC_DOCUMENT_NOT_FOUND", "documentId", "document 3 was purged"],
  [409, "KYC_NOT_PENDING", "submissionId", "submission 3 was already approved"],
  [409, "KYC_LEVEL_REQUIRED", "submissionId", "level 2 needs an approved level 1 first"],
  [404, "UNKNOWN_MARKET", "market", "no market WETH-USDC"],
  [422, "INVALID_RISK_SETTING", "bandBps", "band_bps must be within 0..10000 basis points (0: off)"],
  [422, "INVALID_RISK_SETTING", "alertBps", "alert_bps must be below breaker_bps: the alert warns before the breaker halts"],
  [422, "INVALID_RISK_SETTING", "feedAlertBps", "feed_alert_bps must be below feed_halt_bps"],
  [422, "STATS_RANGE_INVALID", "from", "from (2026-12-31) is after to (2026-12-01)"],
  [404, "STATS_TABLE_UNKNOWN", "table", "no table 'x'"],
  [404, "NOT_FOUND", "address", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc is not deny-listed"],
  [503, "SCREENING_UNAVAILABLE", null, "the screening provider is unreachable"],
  [403, "CROSS_ORIGIN_REQUEST", null, "a read the audit log records must come from the back office"],
  [400, "MALFORMED_JSON", null, "the body is not valid JSON"],
  [429, "RATE_LIMITED", null, "too many requests"],
  [503, "UNAVAILABLE", null, "the exchange is briefly unavailable"],
  [503, "ENGINE_BUSY", null, "the engine is busy"],
  [504, "ENGINE_TIMEOUT", null, "the engine did not answer in time"],
];

describe("every refusal a back-office action can get", () => {
  const zh = (key: MessageKey, params?: Record<string, string | number>) => translate("zh-CN", key, params);

  it.each(REFUSALS)("%s %s (%s) is told in the page's language, not the server's English", (status, code, field, english) => {
    const error = new ApiError(status, code, english, field);
    const inEnglish = staffErrorText(error, t);
    const inChinese = staffErrorText(error, zh);
    expect(inEnglish).not.toBe(english);
    expect(inEnglish).not.toBe("");
    expect(inChinese).not.toBe(inEnglish);
    expect(inChinese).not.toMatch(/[A-Za-z]{3,}/); // no English left: the message is the app's, not the server's
  });

  it("tells a code that means two things by the field it names", () => {
    const taken = (field: string) => staffErrorText(new ApiError(409, "STAFF_EMAIL_TAKEN", "taken", field), t);
    expect(taken("email")).toBe("This e-mail address already has a staff account.");
    expect(taken("id")).toBe("There is no invitation to send again: this member has set a password already, or the account is disabled.");
    const caseRefused = (field: string) => staffErrorText(new ApiError(409, "CASE_TRANSITION_INVALID", "refused", field), t);
    expect(caseRefused("reason")).toBe("Give the reason: the audit log keeps it.");
  });

  it("tells an alert set at or above what it warns of by the body field the server names (PUT /v1/staff/markets/{market}/risk)", () => {
    const risk = (field: string) => staffErrorText(new ApiError(422, "INVALID_RISK_SETTING", "refused", field), t);
    expect(risk("alertBps")).toBe("The volatility alert must be below the circuit breaker, so the alert comes first.");
    expect(risk("feedAlertBps")).toBe("The feed deviation alert must be below the feed deviation halt.");
  });

  it("says the forum ban and ticket refusals in Chinese terms the app uses", () => {
    const banned = staffErrorText(new ApiError(409, "FORUM_ALREADY_BANNED", "banned already", "wallet"), zh);
    expect(banned).toContain("禁言");
    expect(staffErrorText(new ApiError(409, "TICKET_CLOSED", "closed", "ticketId"), zh)).toContain("工单");
  });
});
