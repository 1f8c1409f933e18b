import { describe, expect, it } from "vitest";
import { categoryFormOf, categoryProblems, categoryRequest, newCategoryForm } from "./category-form";
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
    expect(filled.translations).toEqual({ "zh-CN": { name: "", description: "" } });
    const chinese = (name: string, description: string) => ({ ...filled, translations: { "zh-CN": { name, description } } });
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
      translations: { "zh-CN": { name: "综合", description: "" } },
    };
    expect(categoryFormOf(held)).toEqual({
      slug: "general", name: "General", description: "Anything", translations: { "zh-CN": { name: "综合", description: "" } },
    });
    expect(categoryRequest(categoryFormOf(held))).toEqual({
      name: "General", description: "Anything", translations: { "zh-CN": { name: "综合", description: "" } },
    });
  });
});
