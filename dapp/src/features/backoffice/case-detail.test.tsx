import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { CaseDetailView } from "./case-detail";
import type { CaseDetail } from "./staff-types";
import { staffMember } from "./test-fixtures";

const detail: CaseDetail = {
  case: { id: 3, title: "Structuring?", subject: null, status: "open", assignee: "gone@hdex.example", closeReason: null, createdBy: "staff:ada@hdex.example", createdAt: 0, updatedAt: 0, alertIds: [] },
  alerts: [],
  notes: [],
};

describe("a case's assignment", () => {
  it("offers the staff who may take cases in a list (and nobody, and whoever has it now), not a free-text box", () => {
    const markup = providedMarkup(<CaseDetailView id={3} member={staffMember(["alerts.read", "cases.manage"])} />, [
      [["staff", "cases", "detail", 3], detail],
      [["staff", "cases", "assignees"], { assignees: ["ada@hdex.example", "bob@hdex.example"] }],
    ]);
    const select = /<label for="([^"]+)" class="field__label">Assignee<\/label>/.exec(markup);
    expect(select).not.toBeNull();
    expect(markup).toMatch(new RegExp(`<select id="${select?.[1]}"`));
    const options = [...markup.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
    expect(options).toEqual([
      ["", "Nobody"],
      ["ada@hdex.example", "ada@hdex.example"],
      ["bob@hdex.example", "bob@hdex.example"],
      ["gone@hdex.example", "gone@hdex.example"],
    ]);
    expect(markup).not.toMatch(/<input[^>]*type="email"/);
  });
});
