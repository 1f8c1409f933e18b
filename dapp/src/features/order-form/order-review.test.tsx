import { describe, expect, it } from "vitest";
import type { Market } from "../../lib/api-types";
import { DEV_EIP712 } from "../../lib/signing.fixture";
import { providedMarkup } from "../../testing/markup";
import { ApiError } from "../../lib/api-client";
import { isReviewFor, OrderReview, reviewOf, type ReviewedOrder } from "./order-review";
import { checkOrder, type OrderDraft } from "./rules";
import { DEV_MARKET } from "./test-fixtures";

/** A market whose base token has other decimals than WETH: the same base units mean another amount there. */
const WBTC_USDC: Market = {
  ...DEV_MARKET,
  name: "WBTC-USDC",
  baseToken: { address: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", symbol: "WBTC", decimals: 8 },
  priceScale: "100000000",
  lotSize: "10000",
};

const MAKER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const OTHER_ACCOUNT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";

const LIMIT_BUY: OrderDraft = {
  side: "buy", kind: "limit", timeInForce: "GTC", postOnly: false, price: "3000", amount: "0.1", triggerPrice: "",
  slippageBps: 100n,
};

/** A limit buy of 0.1 WETH at 3000 USDC reviewed on WETH-USDC, signed with a fee cap of `feeRate` millionths. */
function reviewedOnDevMarket(feeRate = 2_000): ReviewedOrder {
  const checked = checkOrder(LIMIT_BUY, {
    market: DEV_MARKET,
    feeRates: { makerFeeRate: feeRate, takerFeeRate: feeRate },
    available: null,
    lastPrice: null,
    sourcePrice: null,
    oppositeLevels: [],
    tierLimit: null,
    locale: "en",
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return reviewOf(DEV_MARKET.name, MAKER, checked.order, 7n);
}

function reviewMarkup(market: Market, review: ReviewedOrder): string {
  return providedMarkup(<OrderReview market={market} review={review} onClose={() => {}} onPlaced={() => {}} />, [
    [["eip712"], DEV_EIP712],
  ]);
}

describe("the order review", () => {
  it("offers to sign the order on the market it was reviewed on", () => {
    const markup = reviewMarkup(DEV_MARKET, reviewedOnDevMarket());
    expect(markup).toContain("Confirm: Buy on WETH-USDC");
    expect(markup).toContain("<dt>Amount</dt><dd class=\"num\">0.100 WETH</dd>");
    expect(markup).toContain(">Sign and place</button>");
  });

  it("reopened after an attempt without an answer, offers to send the same signed order again and says why", async () => {
    const review = reviewedOnDevMarket();
    const noAnswer = () => Promise.reject(new ApiError(0, "NETWORK_ERROR", "no answer"));
    await expect(review.submission.submit(async () => ({ hash: "0x01", body: {}, expiry: 1n }), noAnswer, async () => null)).rejects.toThrow();
    const markup = reviewMarkup(DEV_MARKET, review);
    expect(markup).toContain("Send the signed order again");
    expect(markup).not.toContain("Sign and place");
    expect(markup).toContain("The exchange did not answer when this order was sent: it may stand.");
  });

  it("shows the expiry the order was signed with once signed, not one recomputed from this computer's clock", async () => {
    const review = reviewedOnDevMarket();
    const signedExpiry = 1_782_907_200n; // 2026-07-01T12:00:00Z: July 1 or 2, 2026 in every time zone
    const noAnswer = () => Promise.reject(new ApiError(504, "ENGINE_TIMEOUT", "may stand"));
    await expect(review.submission.submit(async () => ({ hash: "0x01", body: {}, expiry: signedExpiry }), noAnswer, async () => null)).rejects.toThrow();
    expect(reviewMarkup(DEV_MARKET, review)).toMatch(/<dt>Valid until<\/dt><dd[^>]*>7\/[12]\/26, [^<]*<\/dd>/);
  });

  it("shows as its maker the account it was reviewed for, not whichever account the wallet holds now", () => {
    expect(reviewMarkup(DEV_MARKET, reviewedOnDevMarket())).toContain(`<dt>Signed by</dt><dd class="num">${MAKER}</dd>`);
  });

  it("belongs to its market and its account only: another account never sends, nor is offered, this order", () => {
    const review = reviewedOnDevMarket();
    expect(isReviewFor(review, DEV_MARKET.name, MAKER.toLowerCase() as typeof MAKER)).toBe(true);
    expect(isReviewFor(review, DEV_MARKET.name, OTHER_ACCOUNT)).toBe(false);
    expect(isReviewFor(review, DEV_MARKET.name, null)).toBe(false);
    expect(isReviewFor(review, WBTC_USDC.name, MAKER)).toBe(false);
  });

  it("shows nothing to sign once the form has switched to another market", () => {
    // Signed on WBTC-USDC, the 0.1 WETH (10^17 base units) would be a billion WBTC.
    const markup = reviewMarkup(WBTC_USDC, reviewedOnDevMarket());
    expect(markup).not.toContain("<dialog");
    expect(markup).not.toContain("Sign and place");
  });

  it("shows every amount of a token alike: base amounts with the lot's digits, quote amounts with the tick's", () => {
    const sell: OrderDraft = { ...LIMIT_BUY, side: "sell", amount: "1.5", price: "2000" };
    const checked = checkOrder(sell, {
      market: DEV_MARKET, feeRates: DEV_MARKET, available: null, lastPrice: null, sourcePrice: null, oppositeLevels: [],
      tierLimit: null, locale: "en",
    });
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const selling = reviewMarkup(DEV_MARKET, reviewOf(DEV_MARKET.name, MAKER, checked.order, 7n));
    expect(selling).toContain("<dt>Amount</dt><dd class=\"num\">1.500 WETH</dd>");
    expect(selling).toContain("<dt>Held while open</dt><dd class=\"num\">1.500 WETH</dd>");
    expect(selling).toContain("(about 6.00 USDC)"); // 0.2% of 3,000 USDC
    const buying = reviewMarkup(DEV_MARKET, reviewedOnDevMarket());
    expect(buying).toContain("<dt>Held while open</dt><dd class=\"num\">300.00 USDC</dd>");
    expect(buying).toContain("(about 0.0002 WETH)"); // exact, though finer than the lot
  });

  it("shows the fee cap the wallet signs exactly, to the millionth, without trailing zeros", () => {
    expect(reviewMarkup(DEV_MARKET, reviewedOnDevMarket(1_234))).toContain("at most 0.1234% of what you receive");
    expect(reviewMarkup(DEV_MARKET, reviewedOnDevMarket(1))).toContain("at most 0.0001% of what you receive");
    expect(reviewMarkup(DEV_MARKET, reviewedOnDevMarket(2_000))).toContain("at most 0.2% of what you receive");
  });
});
