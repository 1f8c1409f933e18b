import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { addressProblem, assigneeChoices, auditQuery, emailProblem, EMPTY_AUDIT_FILTER, overrideBody, overrideForm, reasonProblem, type Problem } from "./forms";

const words = (problem: Problem | null | undefined) => (problem ? translate("en", problem.key, problem.params) : null);

describe("reasonProblem", () => {
  it("asks for a reason in words and caps its length", () => {
    expect(words(reasonProblem("   "))).toBe("Give the reason: the audit log keeps it.");
    expect(reasonProblem("", false)).toBeNull();
    expect(words(reasonProblem("x".repeat(501)))).toBe("Use at most 500 characters.");
    expect(reasonProblem("documents match")).toBeNull();
  });
});

describe("addressProblem", () => {
  it("takes 0x and 40 hex digits in any case", () => {
    expect(addressProblem("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc")).toBeNull();
    expect(words(addressProblem("0x1234"))).toBe("Enter a wallet address: 0x and 40 hexadecimal digits.");
  });
});

describe("limit overrides", () => {
  const reason = "verified income";

  it("turns human amounts into base-unit strings with bigint, empty fields into the level default", () => {
    const result = overrideBody({ withdrawalDaily: "25000.5", withdrawal30d: "", maxOrderNotional: "123456789012345678901234.000001", reason }, 6);
    expect(result).toEqual({
      ok: true,
      body: { withdrawalDaily: "25000500000", withdrawal30d: null, maxOrderNotional: "123456789012345678901234000001", reason },
    });
  });

  it("says what is wrong with each field and sends nothing", () => {
    const result = overrideBody({ withdrawalDaily: "1e6", withdrawal30d: "0.0000001", maxOrderNotional: "-5", reason: "" }, 6);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(words(result.problems.withdrawalDaily)).toBe("Enter an amount such as 1000 or 2500.5 (digits and one point), or leave it empty.");
    expect(words(result.problems.withdrawal30d)).toBe("Use at most 6 decimals.");
    expect(words(result.problems.maxOrderNotional)).toBe("Enter an amount such as 1000 or 2500.5 (digits and one point), or leave it empty.");
    expect(words(result.problems.reason)).toBe("Give the reason: the audit log keeps it.");
  });

  it("starts from the overridden figures only, as plain text", () => {
    const limits = { withdrawalDaily: "1234567890000", withdrawal30d: "5000000000", maxOrderNotional: "7" };
    expect(overrideForm(limits, ["withdrawalDaily", "maxOrderNotional"], 6)).toEqual({
      withdrawalDaily: "1234567.89",
      withdrawal30d: "",
      maxOrderNotional: "0.000007",
      reason: "",
    });
  });
});

describe("auditQuery", () => {
  it("sends only the filters given, times as epoch milliseconds of the browser's time zone", () => {
    expect(auditQuery(EMPTY_AUDIT_FILTER)).toEqual({ ok: true, query: {} });
    const from = "2026-01-02T03:04";
    expect(auditQuery({ actor: " ada@hdex.test ", action: "market", target: " case:12 ", from, to: "" })).toEqual({
      ok: true,
      query: { actor: "ada@hdex.test", action: "market", target: "case:12", since: new Date(from).getTime() },
    });
  });

  it("refuses a range that ends before it starts", () => {
    const result = auditQuery({ ...EMPTY_AUDIT_FILTER, from: "2026-01-02T00:00", to: "2026-01-01T00:00" });
    expect(result.ok ? null : words(result.problem)).toBe("The start must come before the end.");
  });
});

describe("emailProblem", () => {
  it("takes what the server takes as an e-mail address, and says in words what is wrong before an invitation is sent", () => {
    expect(emailProblem(" new.agent+desk@hdex.example ")).toBeNull();
    expect(words(emailProblem("  "))).toBe("Enter your e-mail address.");
    for (const wrong of ["ada", "ada@hdex", "ada @hdex.example", "ada@@hdex.example", "<ada>@hdex.example", `${"a".repeat(250)}@x.io`])
      expect(words(emailProblem(wrong))).toBe("Enter a valid e-mail address, such as name@hdex.example.");
  });
});

describe("assigneeChoices", () => {
  it("lists the people the server offers, and the current assignee once even if no longer among them", () => {
    expect(assigneeChoices(["ada@hdex.example", "bob@hdex.example"], "bob@hdex.example")).toEqual(["ada@hdex.example", "bob@hdex.example"]);
    expect(assigneeChoices(["ada@hdex.example"], "gone@hdex.example")).toEqual(["ada@hdex.example", "gone@hdex.example"]);
    expect(assigneeChoices([], null)).toEqual([]);
  });
});
