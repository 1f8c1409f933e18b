import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { CSRF_HEADER, staffApi, staffSession } from "./staff-api";
import type { StaffSession } from "./staff-types";

interface Sent {
  url: string;
  init: RequestInit;
}

function answer(status: number, body: unknown): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return sent;
}

const session: StaffSession = {
  staff: { id: 1, email: "ada@hdex.test", role: "compliance", permissions: ["kyc.read", "kyc.review"], disabled: false, totpEnrolled: true, invitationPending: false, createdAt: 0 },
  csrfToken: "csrf-token-of-this-session",
  expiresAt: Date.now() + 3_600_000,
  idleExpiresAt: Date.now() + 1_800_000,
};
const headers = (sent: Sent | undefined) => (sent?.init.headers ?? {}) as Record<string, string>;

beforeEach(() => staffSession.set({ status: "signed-in", session }));
afterEach(() => vi.unstubAllGlobals());

describe("the staff API client", () => {
  it("sends the session's CSRF token on every write", async () => {
    const sent = answer(200, {});
    await staffApi.approve(12, null);
    await staffApi.reject(12, "the photo is blurred");
    await staffApi.deny("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "sanctions list");
    await staffApi.setMarketState("WETH-USDC", "halted", "oracle incident");
    await staffApi.overrideLimits("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", {
      withdrawalDaily: "1000000",
      withdrawal30d: null,
      maxOrderNotional: null,
      reason: "verified by phone",
    });
    await staffApi.logout();
    expect(sent.map((s) => s.init.method)).toEqual(["POST", "POST", "POST", "POST", "PUT", "POST"]);
    expect(sent.map((s) => headers(s)[CSRF_HEADER])).toEqual(Array(6).fill("csrf-token-of-this-session"));
    expect(sent.map((s) => s.url)).toEqual([
      "/v1/staff/kyc/submissions/12/approve",
      "/v1/staff/kyc/submissions/12/reject",
      "/v1/staff/denylist",
      "/v1/staff/markets/WETH-USDC/state",
      "/v1/staff/users/0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc/limits",
      "/v1/staff/auth/logout",
    ]);
    expect(JSON.parse(String(sent[1]?.init.body))).toEqual({ reason: "the photo is blurred" });
    expect(JSON.parse(String(sent[3]?.init.body))).toEqual({ state: "halted", reason: "oracle incident" });
  });

  it("sends the case, alert and market risk actions to their routes with the CSRF token", async () => {
    const sent = answer(200, {});
    await staffApi.openCase([3, 4], "Structuring by 0x9965");
    await staffApi.closeAlert(5, "duplicate of #4");
    await staffApi.assignCase(9, "ada@hdex.example");
    await staffApi.addCaseNote(9, "called the customer");
    await staffApi.setCaseStatus(9, "escalated", null);
    await staffApi.setCaseStatus(9, "closed", "documents match");
    await staffApi.setMarketRisk("WETH-USDC", { bandBps: 300, maxOrderBase: null });
    await staffApi.endHalt("WETH-USDC");
    await staffApi.resumeWithdrawals("difference explained");
    expect(sent.map((s) => `${s.init.method} ${s.url}`)).toEqual([
      "POST /v1/staff/cases",
      "POST /v1/staff/alerts/5/close",
      "POST /v1/staff/cases/9/assign",
      "POST /v1/staff/cases/9/notes",
      "POST /v1/staff/cases/9/status",
      "POST /v1/staff/cases/9/status",
      "PUT /v1/staff/markets/WETH-USDC/risk",
      "DELETE /v1/staff/markets/WETH-USDC/halt",
      "POST /v1/staff/risk/withdrawals/resume",
    ]);
    expect(sent.every((s) => headers(s)[CSRF_HEADER] === "csrf-token-of-this-session")).toBe(true);
    expect(sent.map((s) => (s.init.body === undefined ? null : JSON.parse(String(s.init.body))))).toEqual([
      { alertIds: [3, 4], title: "Structuring by 0x9965" },
      { reason: "duplicate of #4" },
      { assignee: "ada@hdex.example" },
      { body: "called the customer" },
      { status: "escalated" },
      { status: "closed", reason: "documents match" },
      { bandBps: 300, maxOrderBase: null },
      null,
      { reason: "difference explained" },
    ]);
  });

  it("sends the staff changes, the case assignment and the assignee list to their routes", async () => {
    const sent = answer(200, {});
    await staffApi.changeRole(4, "auditor", "moved to internal audit");
    await staffApi.resetTotp(4, "lost phone");
    await staffApi.resendInvitation(4);
    await staffApi.assignCase(9, null);
    await staffApi.caseAssignees();
    expect(sent.map((s) => `${s.init.method} ${s.url}`)).toEqual([
      "POST /v1/staff/staff/4/role",
      "POST /v1/staff/staff/4/totp-reset",
      "POST /v1/staff/staff/4/invitation",
      "POST /v1/staff/cases/9/assign",
      "GET /v1/staff/cases/assignees",
    ]);
    expect(sent.slice(0, 4).map((s) => headers(s)[CSRF_HEADER])).toEqual(Array(4).fill("csrf-token-of-this-session"));
    expect(JSON.parse(String(sent[0]?.init.body))).toEqual({ role: "auditor", reason: "moved to internal audit" });
    expect(JSON.parse(String(sent[3]?.init.body))).toEqual({ assignee: null });
  });

  it("reads alerts with their filters and cursor", async () => {
    const sent = answer(200, { alerts: [], next: null });
    await staffApi.alerts({ status: "open", severity: "critical" }, "c-2", false, 50);
    expect(sent[0]?.url).toBe("/v1/staff/alerts?status=open&severity=critical&limit=50&cursor=c-2");
    expect(headers(sent[0])).not.toHaveProperty(CSRF_HEADER);
    expect(headers(sent[0])).not.toHaveProperty("X-Staff-Background");
  });

  it("marks the page's own reads (polls, the idle check) as background: they do not keep a session alive", async () => {
    const sent = answer(200, { alerts: [], next: null });
    await staffApi.alerts({}, null, true);
    await staffApi.withdrawalPause();
    await staffApi.me();
    await staffApi.session();
    expect(sent.map((request) => headers(request)["X-Staff-Background"])).toEqual(["1", "1", "1", "1"]);
  });

  it("sends no CSRF token on reads, and the cookie on all", async () => {
    const sent = answer(200, { submissions: [], next: null });
    await staffApi.submissions("pending", "cursor-1", false, 25);
    expect(sent[0]?.url).toBe("/v1/staff/kyc/submissions?status=pending&limit=25&cursor=cursor-1");
    expect(headers(sent[0])).not.toHaveProperty(CSRF_HEADER);
    expect(sent[0]?.init.credentials).toBe("same-origin");
  });

  it("encodes path parts, so a crafted id cannot reach another route", async () => {
    const sent = answer(200, {});
    await staffApi.submission("1/approve");
    expect(sent[0]?.url).toBe("/v1/staff/kyc/submissions/1%2Fapprove");
  });

  it("ends the session on 401 STAFF_NOT_SIGNED_IN (idle or absolute timeout)", async () => {
    answer(401, { error: { code: "STAFF_NOT_SIGNED_IN", message: "sign in" } });
    await expect(staffApi.denylist()).rejects.toBeInstanceOf(ApiError);
    expect(staffSession.get()).toEqual({ status: "signed-out", reason: "expired" });
  });

  it("keeps the session on a 403: the role may not, but the member of staff is still signed in", async () => {
    answer(403, { error: { code: "STAFF_FORBIDDEN", message: "the support role may not do this (kyc.documents.read)" } });
    await expect(staffApi.document(3)).rejects.toMatchObject({ status: 403, code: "STAFF_FORBIDDEN" });
    expect(staffSession.get().status).toBe("signed-in");
  });

  it("reads no session as null rather than an error", async () => {
    answer(401, { error: { code: "STAFF_NOT_SIGNED_IN", message: "sign in" } });
    await expect(staffApi.session()).resolves.toBeNull();
  });

  it("signs in with a code or a recovery code, never both", async () => {
    const sent = answer(200, session);
    await staffApi.totp("challenge-1", { code: "123456" });
    await staffApi.totp("challenge-2", { recoveryCode: "abcd-efgh" });
    expect(sent.map((s) => JSON.parse(String(s.init.body)))).toEqual([
      { challenge: "challenge-1", code: "123456" },
      { challenge: "challenge-2", recoveryCode: "abcd-efgh" },
    ]);
  });
});
