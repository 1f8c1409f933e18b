import { describe, expect, it } from "vitest";
import { articleProblems, emptyArticle, slugFromTitle } from "./help-articles";

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
