import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import type { KycState, Limits } from "./account-api";
import { KycSection } from "./kyc-section";
import { LimitsPanel } from "./limits-panel";
import { testProfile } from "./test-fixtures";

const SCRIPT = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

const profile = testProfile({ email: null, emailVerified: false });

describe("the identity verification section", () => {
  it("shows a reviewer's reason as text, however much markup it holds", () => {
    const kyc: KycState = {
      level: 0,
      submissions: [{ id: 1, level: 1, status: "rejected", reason: SCRIPT, submittedAt: 0, reviewedAt: 1, documents: [] }],
    };
    const markup = providedMarkup(<KycSection address={profile.address} kyc={kyc} profile={profile} />);
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img src=x");
    expect(markup).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
    // The rejected level's form is offered again, with the reason and its button.
    expect(markup).toContain("Submit level 1");
    expect(markup).toContain("Your last submission was rejected");
  });
});

describe("a rejected submission's reason above the form", () => {
  it("ends the sentence once, whether or not the reviewer ended the reason with a full stop", () => {
    for (const reason of ["The proof of address is older than three months.", "The proof of address is older than three months"]) {
      const kyc: KycState = {
        level: 1,
        submissions: [{ id: 2, level: 2, status: "rejected", reason, submittedAt: 0, reviewedAt: 1, documents: [] }],
      };
      const markup = providedMarkup(<KycSection address={profile.address} kyc={kyc} profile={profile} />);
      expect(markup).toContain("Your last submission was rejected: The proof of address is older than three months. Correct it and submit again.");
    }
  });
});

describe("the limits panel", () => {
  const limits: Limits = {
    address: profile.address,
    level: 0,
    reference: { symbol: "USDC", token: "0x0000000000000000000000000000000000000001", decimals: 6 },
    limits: { withdrawalDaily: "1000000000", withdrawal30d: "5000000000", maxOrderNotional: "2000000000" },
    used: { withdrawalDaily: "250000000", withdrawal30d: "0" },
    remaining: { withdrawalDaily: "750000000", withdrawal30d: "5000000000" },
    overridden: ["withdrawal30d"],
    nextLevel: { level: 1, limits: { withdrawalDaily: "10000000000", withdrawal30d: "50000000000", maxOrderNotional: "20000000000" } },
  };

  it("draws each allowance as a meter in thousandths with the amounts in words", () => {
    const markup = providedMarkup(<LimitsPanel limits={limits} nextStep="open" onGoToLevel={() => undefined} />);
    expect(markup).toMatch(/<meter[^>]*max="1000"[^>]*value="250"/);
    expect(markup).toContain('aria-valuetext="250 USDC of 1,000 USDC used, 750 USDC left"');
    expect(markup).toContain("30-day withdrawals (set by staff)");
    expect(markup).toContain("Daily withdrawals: from 1,000 USDC to 10,000 USDC");
    expect(markup).toContain(">Go to level 1</button>");
  });

  it("says the next level is under review instead of offering its form twice", () => {
    const markup = providedMarkup(<LimitsPanel limits={limits} nextStep="pending" onGoToLevel={() => undefined} />);
    expect(markup).not.toContain("Go to level 1");
    expect(markup).toContain("Your level 1 submission is being reviewed.");
  });
});
