import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { WithdrawalReview } from "./withdrawal-review";

const USDC = { address: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", symbol: "USDC", decimals: 6 } as const;
const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

function markup(feeRate: number, travelRule?: Record<string, unknown>): string {
  const review = { token: USDC, amount: 2_500_000_000n, feeRate, travelRule };
  return providedMarkup(<WithdrawalReview review={review} recipient={WALLET} onConfirm={() => {}} onClose={() => {}} />);
}

describe("the withdrawal review", () => {
  it("shows in token units what the wallet signs: the amount, the fee cap at the wallet's rate, what arrives and where", () => {
    const shown = markup(400); // 0.04%: the signed maxFee is 1 USDC of 2,500
    expect(shown).toContain("Confirm: withdraw USDC");
    expect(shown).toContain("<dt>Taken out of the exchange</dt><dd class=\"num\">2,500 USDC</dd>");
    expect(shown).toContain("at most 1 USDC (0.04%)");
    expect(shown).toContain("<dt>You receive at least</dt><dd class=\"num\">2,499 USDC</dd>");
    expect(shown).toContain(WALLET);
    expect(shown).toContain(">Sign and request</button>");
    expect(shown).not.toContain("Travel-rule details");
  });

  it("says so when the request carries travel-rule details, and a zero fee is shown as such", () => {
    const shown = markup(0, { originator: {} });
    expect(shown).toContain("at most 0 USDC (0%)");
    expect(shown).toContain("Travel-rule details");
  });
});
