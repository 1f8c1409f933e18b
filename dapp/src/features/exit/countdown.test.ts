import { describe, expect, it } from "vitest";
import { clockText, countdownParts, exitStage } from "./countdown";

describe("exitStage", () => {
  it("has no exit when the contract says 0", () => {
    expect(exitStage(0n, 1_700_000_000n)).toEqual({ stage: "none" });
  });

  it("counts down in chain time until the availability second, then allows the withdrawal", () => {
    expect(exitStage(1_700_003_600n, 1_700_000_000n)).toEqual({ stage: "waiting", secondsLeft: 3_600n });
    expect(exitStage(1_700_003_600n, 1_700_003_599n)).toEqual({ stage: "waiting", secondsLeft: 1n });
    expect(exitStage(1_700_003_600n, 1_700_003_600n)).toEqual({ stage: "available" });
  });
});

describe("countdown formatting", () => {
  it("splits seconds into days and a zero-padded clock", () => {
    const parts = countdownParts(2n * 86_400n + 3n * 3_600n + 4n * 60n + 5n);
    expect(parts).toEqual({ days: 2, hours: 3, minutes: 4, seconds: 5 });
    expect(clockText(parts)).toBe("03:04:05");
  });

  it("shows an hour delay and its last second", () => {
    expect(clockText(countdownParts(3_600n))).toBe("01:00:00");
    expect(clockText(countdownParts(1n))).toBe("00:00:01");
  });

  it("never shows a negative time", () => {
    expect(countdownParts(-5n)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
  });
});
