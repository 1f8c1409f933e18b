import "./messages";
import { describe, expect, it } from "vitest";
import { translate, type MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { staffErrorText } from "./staff-errors";

const t = (key: MessageKey, params?: Record<string, string | number>) => translate("en", key, params);
const refused = (field: string | null, message = "the assignee is an active member of staff whose role holds cases.manage") =>
  staffErrorText(new ApiError(422, "INVALID_FIELD", message, field), t);

describe("a refused field", () => {
  it("is told in the app's words, not the server's, for the fields staff fill in", () => {
    expect(refused("assignee")).toBe("That member of staff cannot be given this work: choose an active member whose role handles it.");
    expect(refused("email", "not an e-mail address")).toBe("Enter a valid e-mail address, such as name@hdex.example.");
    expect(refused("reason", "String should have at most 500 characters")).toBe("Give a reason of 1 to 500 characters.");
    expect(refused("role", "Input should be 'admin', ...")).toBe("Choose one of the roles offered.");
  });

  it("keeps the server's message for a field the page does not know", () => {
    expect(refused("cursor", "not a cursor of this list")).toBe("not a cursor of this list");
  });
});

describe("a refused staff change", () => {
  it("says in words that the last admin who can sign in must stay", () => {
    const error = new ApiError(409, "STAFF_LAST_ADMIN", "admin@hdex.example is the last admin who can sign in: make another first");
    expect(staffErrorText(error, t)).toBe("This is the last admin who can sign in: make another admin first.");
  });
});

describe("a help article's slug taken by another", () => {
  it("is told in the page's language, not in the server's English", () => {
    const error = new ApiError(409, "HELP_SLUG_TAKEN", "another article has the slug 'depositing'", "slug");
    expect(staffErrorText(error, t)).toBe("Another article has this slug: choose another.");
    expect(staffErrorText(error, (key, params) => translate("zh-CN", key, params))).toBe("另一篇文章已使用此短链接：请另选一个。");
  });
});
