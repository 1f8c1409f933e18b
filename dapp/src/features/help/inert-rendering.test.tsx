import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import type { Article, ArticleSummary } from "./help-api";
import HelpCenter from "./help-center";

const SCRIPT = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
const ESCAPED = "&lt;script&gt;alert(2)&lt;/script&gt;";

function rendered(rest: string | null, key: readonly unknown[], data: unknown): string {
  return providedMarkup(<HelpCenter rest={rest} />, [[key, data]]);
}

describe("the help center", () => {
  it("lists an article's title and excerpt as text, however much markup they hold", () => {
    // the excerpt is the body's plain text (backend/markup.py `plain`): typed HTML arrives as characters
    const summary: ArticleSummary = { slug: "fees", title: SCRIPT, excerpt: SCRIPT, updatedAt: 0, language: "en" };
    const markup = rendered(null, ["help", "articles", "en", ""], { articles: [summary] });
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img");
    expect(markup.split(ESCAPED).length - 1).toBe(2);
  });

  it("shows an article's title as text and its body only as the server's sanitized HTML", () => {
    const article: Article = { slug: "fees", title: SCRIPT, bodyHtml: `<p>${ESCAPED} <strong>now</strong></p>\n`, updatedAt: 0, language: "en", outdated: false };
    const markup = rendered("fees", ["help", "article", "en", "fees"], article);
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img");
    expect(markup.split(ESCAPED).length - 1).toBe(2);
    expect(markup).toContain("<strong>now</strong>");
  });
});
