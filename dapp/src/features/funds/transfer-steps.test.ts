import { describe, expect, it } from "vitest";
import { isFinal, stepsReached } from "./transfer-steps";

describe("transfer steps", () => {
  it("follows a deposit from the wallet through pending and mined to credited", () => {
    expect(["wallet", "approving", "pending", "mined", "credited"].map((s) => stepsReached("deposit", s as never))).toEqual([
      0, 0, 1, 2, 3,
    ]);
  });

  it("follows a withdrawal from accepted through relaying and relayed to completed", () => {
    expect(["wallet", "accepted", "relaying", "relayed", "completed"].map((s) => stepsReached("withdrawal", s as never))).toEqual([
      0, 1, 1, 2, 3,
    ]);
  });

  it("counts a withdrawal request of unknown outcome, or being sent again, as no step reached and not ended", () => {
    expect(["unknown", "sending"].map((s) => [stepsReached("withdrawal", s as never), isFinal(s as never)])).toEqual([
      [0, false],
      [0, false],
    ]);
  });

  it("ends a transfer once credited, completed or failed", () => {
    expect(["credited", "completed", "failed", "mined", "relayed"].map((s) => isFinal(s as never))).toEqual([
      true, true, true, false, false,
    ]);
  });
});
