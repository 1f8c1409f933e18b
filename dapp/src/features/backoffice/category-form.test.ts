import { describe, expect, it } from "vitest";
import { categoryFormOf, categoryMayGoStale, categoryProblems, categoryRequest, newCategoryForm } from "./category-form";
import type { StaffCategory } from "./forum-moderation";

describe("the category form", () => {
  const filled = { ...newCategoryForm(), slug: "bots", name: "Bots" };

  it("asks for a slug the server takes and a name, in words", () => {
    expect(categoryProblems(newCategoryForm())).toEqual({
      slug: "backoffice.forum.category.slugInvalid", name: "backoffice.forum.category.nameRequired",
    });
    expect(categoryProblems(filled)).toEqual({});
    for (const slug of ["Bots", "bots ", "-bots", "bots-", "a_b", "b".repeat(41)]) {
      expect(categoryProblems({ ...filled, slug }), slug).toEqual({ slug: "backoffice.forum.category.slugInvalid" });
    }
    for (const slug of ["b", "api-bots", "b".repeat(40), "2027"]) expect(categoryProblems({ ...filled, slug }), slug).toEqual({});
    expect(categoryProblems({ ...filled, name: "   " })).toEqual({ name: "backoffice.forum.category.nameRequired" });
    expect(categoryProblems({ ...filled, name: "n".repeat(81) })).toEqual({ name: "backoffice.forum.category.nameTooLong" });
    // spaces collapse as the server collapses them: 80 letters spread out are a name of 80
    expect(categoryProblems({ ...filled, name: ` ${"n".repeat(80)}  ` })).toEqual({});
    expect(categoryProblems({ ...filled, description: "d".repeat(301) })).toEqual({ description: "backoffice.forum.category.descriptionTooLong" });
  });

  it("takes a translation only when written, and then wants its name", () => {
    expect(filled.translations).toEqual({ "zh-CN": { name: "", description: "", stillFits: false } });
    const chinese = (name: string, description: string) => ({ ...filled, translations: { "zh-CN": { name, description, stillFits: false } } });
    expect(categoryProblems(chinese(" ", " "))).toEqual({});
    expect(categoryProblems(chinese("", "机器人与 API"))).toEqual({ "name:zh-CN": "backoffice.forum.category.nameRequired" });
    expect(categoryProblems(chinese("机器人", "说".repeat(301)))).toEqual({ "description:zh-CN": "backoffice.forum.category.descriptionTooLong" });
    expect(categoryRequest(chinese(" ", ""))).toEqual({ name: "Bots", description: "", translations: {} });
    expect(categoryRequest({ ...chinese(" 机器人 ", "API  与\n自动交易"), description: " APIs  and bots " })).toEqual({
      name: "Bots", description: "APIs and bots", translations: { "zh-CN": { name: "机器人", description: "API 与 自动交易" } },
    });
  });

  it("edits what the server holds", () => {
    const held: StaffCategory = {
      id: 1, slug: "general", name: "General", description: "Anything", threadCount: 3, language: "en",
      translations: { "zh-CN": { name: "综合", description: "", outdated: false } },
    };
    expect(categoryFormOf(held)).toEqual({
      slug: "general", name: "General", description: "Anything", translations: { "zh-CN": { name: "综合", description: "", stillFits: false } },
    });
    expect(categoryRequest(categoryFormOf(held))).toEqual({
      name: "General", description: "Anything", translations: { "zh-CN": { name: "综合", description: "" } },
    });
  });

  it("asks whether a translation left as it was still fits only when saving would leave it outdated", () => {
    const held: StaffCategory = {
      id: 2, slug: "trading", name: "Trading", description: "Markets", threadCount: 0, language: "en",
      translations: { "zh-CN": { name: "交易", description: "市场", outdated: false } },
    };
    const form = categoryFormOf(held);
    expect(categoryMayGoStale(held, form, "zh-CN")).toBe(false);
    expect(categoryMayGoStale(null, form, "zh-CN")).toBe(false); // a new category: nothing held
    expect(categoryMayGoStale(held, { ...form, name: " Trading  " }, "zh-CN")).toBe(false); // the same English as kept
    const renamed = { ...form, name: "Markets and bots" };
    expect(categoryMayGoStale(held, renamed, "zh-CN")).toBe(true);
    expect(categoryMayGoStale(held, { ...renamed, translations: { "zh-CN": { name: "市场与机器人", description: "市场", stillFits: false } } }, "zh-CN")).toBe(false);
    const stale = { ...held, translations: { "zh-CN": { ...held.translations["zh-CN"]!, outdated: true } } };
    expect(categoryMayGoStale(stale, categoryFormOf(stale), "zh-CN")).toBe(true);
    expect(categoryRequest({ ...renamed, translations: { "zh-CN": { name: "交易", description: "市场", stillFits: true } } }).translations).toEqual({
      "zh-CN": { name: "交易", description: "市场", stillFits: true },
    });
  });
});
