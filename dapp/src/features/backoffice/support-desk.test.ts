import "./messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { STATUSES } from "../support";
import { STAFF_MOVES, STATUS_ACTIONS, mayMove, rangeOk, savedReplyProblems, supportStaffApi, utcDay, withSavedReply } from "./support-desk";

/** Replace fetch by one that records each request and answers a ticket. */
function answerTicket(): RequestInit[] {
  const sent: RequestInit[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    expect(url).toBe("/v1/staff/support/tickets/7/messages");
    sent.push(init);
    return new Response(JSON.stringify({ ticket: { id: 7 }, messages: [] }), { status: 201, headers: { "Content-Type": "application/json" } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe("staff's answer", () => {
  it("is JSON without a file", async () => {
    const sent = answerTicket();
    await supportStaffApi.answer(7, "Checked the indexer", true);
    expect(sent[0]?.headers).toMatchObject({ "Content-Type": "application/json" });
    expect(JSON.parse(String(sent[0]?.body))).toEqual({ body: "Checked the indexer", internal: true });
  });

  it("is multipart form data with a file: the same fields and the file as attachment, under its name", async () => {
    const sent = answerTicket();
    const guide = new File(["%PDF-1.4"], "confirmations.pdf", { type: "application/pdf" });
    await supportStaffApi.answer(7, "See the guide", false, guide);
    const form = sent[0]?.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect([...form.keys()]).toEqual(["body", "internal", "attachment"]);
    expect(form.get("body")).toBe("See the guide");
    expect(form.get("internal")).toBe("false");
    expect((form.get("attachment") as File).name).toBe("confirmations.pdf");
    expect(sent[0]?.headers).not.toHaveProperty("Content-Type"); // the browser writes the boundary
  });
});

describe("staff's status moves", () => {
  it("are the server's: a closed ticket only reopens, nothing moves to itself", () => {
    for (const status of STATUSES) expect(mayMove(status, status)).toBe(false);
    expect(STAFF_MOVES.closed).toEqual(["open"]);
    expect(mayMove("open", "waiting_for_user")).toBe(true);
    expect(mayMove("resolved", "waiting_for_user")).toBe(false);
    expect(STATUS_ACTIONS.map((a) => a.to).sort()).toEqual([...STATUSES].sort());
  });
});

describe("a saved reply put into an answer", () => {
  it("replaces a blank draft and follows a written one after a blank line", () => {
    expect(withSavedReply("", "Deposits need 12 confirmations.")).toBe("Deposits need 12 confirmations.");
    expect(withSavedReply("  \n", "x")).toBe("x");
    expect(withSavedReply("Hello,\n\n", "x")).toBe("Hello,\n\nx");
  });

  it("is checked before saving", () => {
    expect(savedReplyProblems("Deposits", "text")).toEqual({});
    expect(Object.keys(savedReplyProblems(" ", " ")).sort()).toEqual(["body", "title"]);
    expect(savedReplyProblems("a\nb", "x").title?.key).toBe("support.problem.subject");
  });
});

describe("the statistics' range", () => {
  it("is whole UTC days, in order, at most 366 of them", () => {
    const now = Date.UTC(2026, 2, 2, 23, 30);
    expect(utcDay(now)).toBe("2026-03-02");
    expect(utcDay(now, 29)).toBe("2026-02-01");
    expect(rangeOk("2026-02-01", "2026-03-02")).toBe(true);
    expect(rangeOk("2026-03-02", "2026-03-01")).toBe(false);
    expect(rangeOk("2025-01-01", "2025-12-31")).toBe(true);
    expect(rangeOk("2024-01-01", "2024-12-31")).toBe(true); // a leap year: 366 days
    expect(rangeOk("2024-01-01", "2025-01-01")).toBe(false); // 367
    expect(rangeOk("", "2026-03-01")).toBe(false);
  });
});
