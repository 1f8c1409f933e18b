import { describe, expect, it } from "vitest";
import { slugOf } from "./help-api";

describe("an article's path", () => {
  it("is a slug only when it could be one, so nothing odd is ever requested", () => {
    expect(slugOf("escape-hatch")).toBe("escape-hatch");
    expect(slugOf(null)).toBeNull();
    expect(slugOf("Escape")).toBeNull();
    expect(slugOf("a/b")).toBeNull();
    expect(slugOf("../x")).toBeNull();
    expect(slugOf("a".repeat(81))).toBeNull();
  });
});
