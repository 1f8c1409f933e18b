import "./messages";
import { describe, expect, it } from "vitest";
import type { ForumBan, ForumReport, ModeratedThread } from "./forum-moderation";
import { ForumSection } from "./forum-section";
import type { StaffMember } from "./staff-types";
import { providedMarkup } from "../../testing/markup";

const SCRIPT = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const member = { id: 1, email: "mod@hdex.example", role: "support" } as StaffMember;

const report: ForumReport = {
  id: 3,
  // as the server sends it: typed HTML escaped by backend/markup.py
  post: { id: 9, threadId: 4, author: WALLET, message: SCRIPT, messageHtml: "<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>\n", hidden: false, createdAt: 0 },
  threadId: 4,
  threadTitle: SCRIPT,
  reporter: WALLET,
  reason: SCRIPT,
  status: "open",
  openReportsOfPost: 1,
  createdAt: 0,
  resolvedBy: null,
  resolvedAt: null,
};
const thread: ModeratedThread = { id: 4, category: "general", title: SCRIPT, author: WALLET, pinned: true, locked: false, hidden: false, replyCount: 0, createdAt: 0, lastPostAt: 0 };
const ban: ForumBan = { wallet: WALLET, reason: SCRIPT, bannedBy: "staff:mod@hdex.example", bannedAt: 0 };

describe("the forum moderation section", () => {
  it("shows reasons, titles and bans as text, and a post only as the server's sanitized HTML", () => {
    const markup = providedMarkup(<ForumSection member={member} />, [
      [["staff", "forum", "reports", "open"], { pages: [{ reports: [report], next: null }], pageParams: [null] }],
      [["staff", "forum", "threads"], { pages: [{ threads: [thread], next: "t-2" }], pageParams: [null] }],
      [["staff", "forum", "bans"], { pages: [{ bans: [ban], next: "0-0x" }], pageParams: [null] }],
    ]);
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img");
    expect(markup.match(/&lt;script&gt;alert\(2\)&lt;\/script&gt;/g)?.length).toBeGreaterThanOrEqual(4);
    expect(markup).toContain("Hide post");
    expect(markup).toContain("Unpin");
    expect(markup).toContain("Unban");
    expect(markup.match(/>Load more</g)?.length).toBe(2); // threads and bans have a next page; reports do not
  });
});
