import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import type { Category, Post, SearchHit, Thread } from "./forum-api";
import ForumPage, { SearchResults } from "./forum-page";

const SCRIPT = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
const ESCAPED = "&lt;script&gt;alert(2)&lt;/script&gt;";
const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

const category: Category = { id: 1, slug: "general", name: SCRIPT, description: SCRIPT, threadCount: 1, language: "en" };
const thread: Thread = { id: 4, category: "general", title: SCRIPT, author: WALLET, pinned: false, locked: false, hidden: false, replyCount: 0, createdAt: 0, lastPostAt: 0 };
// as the server sends it: typed HTML escaped by backend/markup.py
const post: Post = { id: 9, threadId: 4, author: WALLET, message: SCRIPT, messageHtml: `<p>${ESCAPED} <strong>now</strong></p>\n`, hidden: false, createdAt: 0 };
const hit: SearchHit = { post, threadTitle: SCRIPT, category: "general" };

function expectInert(markup: string, escapedCopies: number): void {
  expect(markup).not.toContain("<script");
  expect(markup).not.toContain("<img");
  expect(markup.split(ESCAPED).length - 1).toBe(escapedCopies);
}

const pages = <T,>(page: T) => ({ pages: [page], pageParams: [null] });

describe("the forum's pages", () => {
  it("show a category's name and description as text", () => {
    expectInert(providedMarkup(<ForumPage rest={null} />, [[["forum", "categories", "en"], { categories: [category] }]]), 2);
  });

  it("mark a category's name and description with the language they came in", () => {
    const chinese = { ...category, name: "交易", description: "市场与订单", language: "zh-CN" };
    const markup = providedMarkup(<ForumPage rest={null} />, [[["forum", "categories", "en"], { categories: [chinese] }]]);
    expect(markup).toMatch(/<a [^>]*lang="zh-CN"[^>]*>交易<\/a>/);
    expect(markup).toContain('<p lang="zh-CN">市场与订单</p>');
  });

  it("show a thread's title as text in its category's list", () => {
    const markup = providedMarkup(<ForumPage rest="c/general" />, [
      [["forum", "categories", "en"], { categories: [category] }],
      [["forum", "threads", "general"], pages({ threads: [thread], next: null })],
    ]);
    expectInert(markup, 3); // the category's name as heading and section label, the thread's title
  });

  it("show a thread's title as text and its posts only as the server's sanitized HTML", () => {
    const markup = providedMarkup(<ForumPage rest="t/4" />, [
      [["forum", "thread", 4], thread],
      [["forum", "posts", 4], pages({ posts: [post], next: null })],
    ]);
    expectInert(markup, 3); // the title as heading and article label, the post's body
    expect(markup).toContain("<strong>now</strong>");
  });

  it("show a search hit's thread title as text and its post only as the server's sanitized HTML", () => {
    const markup = providedMarkup(<SearchResults q="airdrop" />, [[["forum", "search", "airdrop", "relevance"], pages({ results: [hit], next: null })]]);
    expectInert(markup, 2); // the thread's title, the post's body
    expect(markup).toContain("<strong>now</strong>");
  });
});
