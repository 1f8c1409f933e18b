import { describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import type { Post, Thread } from "./forum-api";
import ForumPage from "./forum-page";

const READER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const FIRST = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const AUTHORS = [FIRST, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"];

// A connected, signed-in reader (the provider cannot connect without a browser); hoisted, as vi.mock runs first.
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
);

const thread: Thread = { id: 4, category: "general", title: "Fees", author: FIRST, pinned: false, locked: false, hidden: false, replyCount: 1, createdAt: 0, lastPostAt: 0 };
const posts: Post[] = AUTHORS.map((author, i) => ({ id: i + 1, threadId: 4, author, message: "hi", messageHtml: "<p>hi</p>", hidden: false, createdAt: 0 }));

describe("a thread's Report buttons", () => {
  it("each say whose post they report, as a screen reader lists them out of their posts", () => {
    const markup = providedMarkup(<ForumPage rest="t/4" />, [
      [["auth", "session"], { address: READER, chainId: 31337, expiresAt: Date.now() + 60_000 }],
      [["forum", "thread", 4], thread],
      [["forum", "posts", 4], { pages: [{ posts, next: null }], pageParams: [null] }],
    ]);
    const labels = [...markup.matchAll(/<button[^>]*aria-label="([^"]*)"[^>]*>Report<\/button>/g)].map((m) => m[1]);
    expect(labels).toEqual(["Report the post by 0x7099…79C8", "Report the post by 0x3C44…93BC"]);
  });
});
