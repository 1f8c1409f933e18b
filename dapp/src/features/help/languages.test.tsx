import "./messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { helpApi, type Article } from "./help-api";
import HelpCenter from "./help-center";

afterEach(() => vi.unstubAllGlobals());

/** The page as a reader whose browser prefers Chinese sees it (the dApp's language follows the browser's). */
function inChinese(article: Article): string {
  vi.stubGlobal("navigator", { languages: ["zh-CN"], language: "zh-CN" });
  return providedMarkup(<HelpCenter rest={article.slug} />, [[["help", "article", "zh-CN", article.slug], article]]);
}

const article = (language: string, title: string, outdated = false): Article => ({ slug: "fees", title, bodyHtml: "<p>…</p>", updatedAt: 0, language, outdated });

describe("the help center in another language", () => {
  it("asks for each article and search in the page's language", async () => {
    const urls: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify({ articles: [] }), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    await helpApi.search(" 提现 ", "zh-CN");
    await helpApi.article("fees", "zh-CN");
    expect(urls.map((url) => new URL(url, "http://dapp").search)).toEqual([`?q=${encodeURIComponent("提现")}&lang=zh-CN`, "?lang=zh-CN"]);
  });

  it("says when an article is not translated and marks its English text as English", () => {
    const markup = inChinese(article("en", "Fees"));
    expect(markup).toContain("本文尚未翻译成您的语言，以下为英文原文。");
    expect(markup).toContain('<h1 lang="en">Fees</h1>');
    expect(markup).toContain('class="help-article__body" lang="en"');
  });

  it("shows a translated article without a word about English", () => {
    const markup = inChinese(article("zh-CN", "手续费"));
    expect(markup).not.toContain("本文尚未翻译");
    expect(markup).not.toContain("英文原文在翻译之后有改动");
    expect(markup).toContain('<h1 lang="zh-CN">手续费</h1>');
  });

  it("says when the English changed after the translation was written", () => {
    expect(inChinese(article("zh-CN", "手续费", true))).toContain("本文的英文原文在翻译之后有改动，英文版可能包含更多内容。");
  });
});
