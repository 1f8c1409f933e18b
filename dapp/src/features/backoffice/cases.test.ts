import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { CASE_ACTIONS, mayMove, noteProblem } from "./cases";
import type { CaseStatus } from "./staff-types";

const enabled = (status: CaseStatus) => CASE_ACTIONS.filter((action) => mayMove(status, action.to)).map((action) => translate("en", action.label));

describe("a case's status buttons", () => {
  it("follow the moves the server allows, and a closed case has none", () => {
    expect(enabled("open")).toEqual(["Start investigation", "Escalate", "Close case"]);
    expect(enabled("investigating")).toEqual(["Escalate", "Close case"]);
    expect(enabled("escalated")).toEqual(["Start investigation", "Close case"]);
    expect(enabled("closed")).toEqual([]);
  });
});

describe("a note", () => {
  it("are checked in words before anything is sent", () => {
    expect(translate("en", noteProblem(" \n ")?.key ?? "")).toBe("Write the note first.");
    expect(noteProblem("Called the customer; documents requested.")).toBeNull();
    expect(noteProblem("x".repeat(5001))?.params).toEqual({ max: 5000 });
  });
});
