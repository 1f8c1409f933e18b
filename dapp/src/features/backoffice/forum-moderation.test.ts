import { afterEach, describe, expect, it, vi } from "vitest";
import { forumModeration, threadActions } from "./forum-moderation";

describe("a thread's moderation buttons", () => {
  it("offer to pin, lock and hide a thread that is none of these", () => {
    expect(threadActions({ pinned: false, locked: false, hidden: false }).map((a) => a.action)).toEqual(["pin", "lock", "hide"]);
  });

  it("offer to undo what is set", () => {
    expect(threadActions({ pinned: true, locked: true, hidden: true })).toEqual([
      { action: "unpin", label: "forum.staff.unpin" },
      { action: "unlock", label: "forum.staff.unlock" },
      { action: "unhide", label: "forum.staff.unhideThread" },
    ]);
  });
});

describe("an unban", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the moderator's reason, which the audit log keeps", async () => {
    const sent: { url: string; body: unknown }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      sent.push({ url, body: JSON.parse(String(init.body)) });
      return new Response(JSON.stringify({ wallet: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" }), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    await forumModeration.unban("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "appeal accepted");
    expect(sent).toEqual([{ url: expect.stringContaining("/v1/staff/forum/bans/0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc/unban"), body: { reason: "appeal accepted" } }]);
  });
});
