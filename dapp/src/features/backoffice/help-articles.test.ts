import { describe, expect, it } from "vitest";
import { articleProblems, emptyArticle, slugFromTitle, translationForm, translationProblems } from "./help-articles";
import { TRANSLATED_LANGUAGES } from "./languages";

describe("the help article form", () => {
  it("suggests a slug of lower-case words from the title", () => {
    expect(slugFromTitle("Gas & fees: who pays?")).toBe("gas-fees-who-pays");
    expect(slugFromTitle("  Déposer des jetons ")).toBe("deposer-des-jetons");
    expect(slugFromTitle("提款")).toBe("");
  });

  it("names each missing or malformed field in words", () => {
    expect(articleProblems(emptyArticle)).toEqual({
      slug: "help.staff.slugInvalid",
      title: "help.staff.titleRequired",
      body: "help.staff.bodyRequired",
    });
    const good = { slug: "gas-fees", title: "Gas", body: "b", published: true };
    expect(articleProblems(good)).toEqual({});
    expect(articleProblems({ ...good, slug: "Gas Fees" })).toEqual({ slug: "help.staff.slugInvalid" });
    expect(articleProblems({ ...good, slug: "gas--fees" })).toEqual({ slug: "help.staff.slugInvalid" });
    expect(articleProblems({ ...good, title: "t".repeat(201) })).toEqual({ title: "help.staff.titleTooLong" });
    expect(articleProblems({ ...good, body: "b".repeat(20_001) })).toEqual({ body: "help.staff.bodyTooLong" });
  });
});

describe("an article's translations", () => {
  const article = {
    id: 7, slug: "fees", title: "Fees", body: "b", bodyHtml: "", published: true, createdBy: "s", createdAt: 0, updatedBy: "s",
    updatedAt: 0, translations: [{ language: "zh-CN", title: "手续费", body: "正文", bodyHtml: "", updatedBy: "s", updatedAt: 1, outdated: false }],
  };

  it("are written in each of the dApp's languages but English, which the article itself is in", () => {
    expect(TRANSLATED_LANGUAGES).toEqual(["zh-CN"]);
  });

  it("start from the translation there is, or from nothing", () => {
    expect(translationForm(article, "zh-CN")).toEqual({ title: "手续费", body: "正文" });
    expect(translationForm({ ...article, translations: [] }, "zh-CN")).toEqual({ title: "", body: "" });
  });

  it("need a title and a body, in words, as the article does", () => {
    expect(translationProblems({ title: " ", body: "" })).toEqual({ title: "help.staff.titleRequired", body: "help.staff.bodyRequired" });
    expect(translationProblems({ title: "手续费", body: "b".repeat(20_001) })).toEqual({ body: "help.staff.bodyTooLong" });
    expect(translationProblems({ title: "t".repeat(201), body: "正文" })).toEqual({ title: "help.staff.titleTooLong" });
    expect(translationProblems({ title: "手续费", body: "正文" })).toEqual({});
  });
});
