import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api-client";
import { providedMarkup } from "../../testing/markup";
import { WithdrawalInDoubt } from "./withdrawal-in-doubt";
import { reviewWithdrawal, WithdrawalReview, type ReviewedWithdrawal } from "./withdrawal-review";

const USDC = { address: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", symbol: "USDC", decimals: 6 } as const;
const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

function reviewed(feeRate: number, travelRule?: Record<string, unknown>): ReviewedWithdrawal {
  return reviewWithdrawal({ wallet: WALLET, token: USDC, amount: 2_500_000_000n, feeRate, travelRule });
}

function markup(review: ReviewedWithdrawal): string {
  return providedMarkup(<WithdrawalReview review={review} onConfirm={() => {}} onClose={() => {}} />);
}

describe("the withdrawal review", () => {
  it("shows in token units what the wallet signs: the amount, the fee cap at the wallet's rate, what arrives and where", () => {
    const shown = markup(reviewed(400)); // 0.04%: the signed maxFee is 1 USDC of 2,500
    expect(shown).toContain("Confirm: withdraw USDC");
    expect(shown).toContain("<dt>Taken out of the exchange</dt><dd class=\"num\">2,500 USDC</dd>");
    expect(shown).toContain("at most 1 USDC (0.04%)");
    expect(shown).toContain("<dt>You receive at least</dt><dd class=\"num\">2,499 USDC</dd>");
    expect(shown).toContain(WALLET);
    expect(shown).toContain(">Sign and request</button>");
    expect(shown).not.toContain("Travel-rule details");
  });

  it("says so when the request carries travel-rule details, and a zero fee is shown as such", () => {
    const shown = markup(reviewed(0, { originator: {} }));
    expect(shown).toContain("at most 0 USDC (0%)");
    expect(shown).toContain("Travel-rule details");
  });

  it("reopened for a request left unanswered, offers to send it again as signed, with the expiry it was signed with", async () => {
    const review = reviewed(400);
    const signedExpiry = 1_782_907_200n; // 2026-07-01T12:00:00Z: July 1 or 2, 2026 in every time zone
    const noAnswer = () => Promise.reject(new ApiError(502, "HTTP_502", "Bad Gateway"));
    const signed = { hash: `0x${"11".repeat(32)}` as const, body: {}, expiry: signedExpiry };
    await expect(review.submission.submit(async () => signed, noAnswer, async () => null)).rejects.toThrow();
    const shown = markup(review);
    expect(shown).toContain(">Send the signed withdrawal again</button>");
    expect(shown).not.toContain("Sign and request");
    expect(shown).toContain("it may have been accepted");
    expect(shown).toMatch(/<dt>Signed valid until<\/dt><dd[^>]*>7\/[12]\/26, [^<]*<\/dd>/);
  });
});

describe("a withdrawal in doubt", () => {
  it("is announced with its amount and one way on: sending the signed request again", () => {
    const shown = providedMarkup(<WithdrawalInDoubt reviewed={reviewed(0)} onSendAgain={() => {}} />);
    expect(shown).toContain('role="alert"');
    expect(shown).toContain("Your withdrawal of 2,500 USDC got no answer from the exchange: it may have been accepted.");
    expect(shown).toContain('<button type="button" class="button button--small">Send the signed withdrawal again</button>');
  });
});
