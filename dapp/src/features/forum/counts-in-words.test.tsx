import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import type { Category, Thread } from "./forum-api";
import ForumPage from "./forum-page";

const AUTHOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const category = (slug: string, threadCount: number): Category => ({ id: threadCount, slug, name: slug, description: "", threadCount, language: "en" });
const thread = (id: number, replyCount: number): Thread => ({
  id, category: "general", title: `Thread ${id}`, author: AUTHOR, pinned: false, locked: false, hidden: false, replyCount, createdAt: 0, lastPostAt: 0,
});

describe("the forum's counts", () => {
  it("say one thread, not one threads", () => {
    const markup = providedMarkup(<ForumPage rest={null} />, [[["forum", "categories", "en"], { categories: [category("general", 1), category("trading", 2)] }]]);
    expect(markup).toContain(">1 thread<");
    expect(markup).toContain(">2 threads<");
  });

  it("say one reply, not one replies", () => {
    const markup = providedMarkup(<ForumPage rest="c/general" />, [
      [["forum", "categories", "en"], { categories: [category("general", 2)] }],
      [["forum", "threads", "general"], { pages: [{ threads: [thread(1, 1), thread(2, 0)], next: null }], pageParams: [null] }],
    ]);
    expect(markup).toContain("by 0x7099…79C8 · 1 reply · last activity");
    expect(markup).toContain("by 0x7099…79C8 · 0 replies · last activity");
  });
});
