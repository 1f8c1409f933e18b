import { describe, expect, it } from "vitest";
import type { KycState, Submission } from "./account-api";
import { latestOf, stepState } from "./kyc-steps";

const submission = (id: number, level: 1 | 2, status: Submission["status"], reason: string | null = null): Submission => ({
  id,
  level,
  status,
  reason,
  submittedAt: id,
  reviewedAt: status === "pending" ? null : id + 1,
  documents: [],
});
const free = { countryRestricted: false, identityCountryRestricted: false };

describe("stepState", () => {
  it("opens level 1 to a new wallet and keeps level 2 locked until level 1 is approved", () => {
    const kyc: KycState = { level: 0, submissions: [] };
    expect([stepState(1, kyc, free), stepState(2, kyc, free)]).toEqual(["open", "locked"]);
  });

  it("waits while a submission is pending and opens again after a rejection", () => {
    expect(stepState(1, { level: 0, submissions: [submission(1, 1, "pending")] }, free)).toBe("pending");
    expect(stepState(1, { level: 0, submissions: [submission(2, 1, "rejected", "blurred")] }, free)).toBe("open");
  });

  it("is done for a level held and closed to a restricted country", () => {
    const kyc: KycState = { level: 1, submissions: [submission(1, 1, "approved")] };
    expect([stepState(1, kyc, free), stepState(2, kyc, free)]).toEqual(["done", "open"]);
    expect(stepState(1, { level: 0, submissions: [] }, { ...free, countryRestricted: true })).toBe("restricted");
    expect(stepState(1, { level: 0, submissions: [] }, { ...free, identityCountryRestricted: true })).toBe("restricted");
  });
});

describe("latestOf", () => {
  it("is the newest submission of the level (the list is newest first)", () => {
    const list = [submission(3, 2, "pending"), submission(2, 1, "rejected", "wrong name"), submission(1, 1, "rejected", "blurred")];
    expect(latestOf(1, list)?.reason).toBe("wrong name");
    expect(latestOf(2, [])).toBeNull();
  });
});
