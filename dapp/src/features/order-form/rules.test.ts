import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import {
  amountForPercent,
  checkOrder,
  isOperatorTriggered,
  marketBuyAmountForPercent,
  needsOperatorTrigger,
  orderFlags,
  readsBook,
  sweepPrice,
  worstPrice,
  type Level,
  type OrderContext,
  type OrderDraft,
  type OrderKind,
  type TimeInForce,
} from "./rules";
import { DEV_MARKET as MARKET, DEV_MARKET_WITH_FEED } from "./test-fixtures";

const USDC = 10n ** 6n;
const WETH = 10n ** 18n;
const PRICE_3000 = 3_000n * USDC; // quote base units per 1e18 base base-units

const draft = (overrides: Partial<OrderDraft> = {}): OrderDraft => ({
  side: "buy",
  kind: "limit",
  timeInForce: "GTC",
  postOnly: false,
  price: "3000",
  amount: "0.1",
  triggerPrice: "",
  slippageBps: 100n,
  ...overrides,
});
const context = (overrides: Partial<OrderContext> = {}): OrderContext => ({
  market: MARKET,
  feeRates: MARKET,
  available: 1_000_000n * USDC,
  locale: "en",
  lastPrice: PRICE_3000,
  sourcePrice: null,
  oppositeLevels: [],
  tierLimit: null,
  ...overrides,
});

describe("checkOrder", () => {
  it("accepts a limit buy on the grid and says what it holds and what it may pay in fees", () => {
    const result = checkOrder(draft(), context());
    expect(result).toEqual({
      ok: true,
      order: {
        side: "buy",
        kind: "limit",
        timeInForce: "GTC",
        postOnly: false,
        baseAmount: WETH / 10n,
        limitPrice: PRICE_3000,
        triggerPrice: 0n,
        maxFeeRate: 2_000,
        flags: 0,
        hold: 300n * USDC,
        feeAtLimit: (WETH / 10n) * 2_000n / 1_000_000n, // a buyer pays in base: 0.0002 WETH
      },
    });
  });

  it("refuses a price off the tick and names the nearest valid prices", () => {
    const result = checkOrder(draft({ price: "3000.005" }), context());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.price).toEqual({
      key: "order.error.offTick",
      values: { tick: "0.01 USDC", lower: "3,000.00 USDC", upper: "3,000.01 USDC" },
    });
  });

  it("refuses an amount off the lot and names the nearest valid amounts", () => {
    const result = checkOrder(draft({ amount: "0.1005" }), context());
    expect(!result.ok && result.errors.amount).toEqual({
      key: "order.error.offLot",
      values: { lot: "0.001 WETH", lower: "0.100 WETH", upper: "0.101 WETH" },
    });
  });

  it("takes prices and amounts typed as the form shows them, with thousands separators, and refuses misplaced ones", () => {
    const grouped = checkOrder(draft({ price: "3,000.00", amount: "1,000" }), context({ available: 10_000_000n * USDC }));
    expect(grouped).toMatchObject({ ok: true, order: { limitPrice: PRICE_3000, baseAmount: 1_000n * WETH } });
    expect(checkOrder(draft({ price: "3,0000" }), context())).toMatchObject({
      ok: false,
      errors: { price: { key: "common.error.misplacedGrouping" } },
    });
  });

  it("names the smallest price and amount once when what was typed is below the first step", () => {
    const result = checkOrder(draft({ price: "0.005", amount: "0.0005" }), context());
    expect(!result.ok && result.errors).toEqual({
      price: { key: "order.error.offTickBelowFirst", values: { tick: "0.01 USDC" } },
      amount: { key: "order.error.offLotBelowFirst", values: { lot: "0.001 WETH" } },
    });
    expect(translate("en", "order.error.offLotBelowFirst", { lot: "0.001 WETH" })).toBe(
      "Amounts move in steps of 0.001 WETH: the smallest amount is 0.001 WETH.",
    );
  });

  it("refuses an order below the minimum notional and says how much is needed at this price", () => {
    const result = checkOrder(draft({ amount: "0.003" }), context()); // 9 USDC
    expect(!result.ok && result.errors.amount).toEqual({
      key: "order.error.belowMinNotional",
      values: { minimum: "10 USDC", needed: "0.004 WETH" },
    });
  });

  it("accepts exactly the minimum notional", () => {
    expect(checkOrder(draft({ price: "2500", amount: "0.004" }), context()).ok).toBe(true); // 10 USDC
  });

  it("refuses a buy that needs more quote than is available, in both tokens words", () => {
    const result = checkOrder(draft({ amount: "1" }), context({ available: 2_999_999_999n }));
    expect(!result.ok && result.errors.amount).toEqual({
      key: "order.error.insufficientBalance",
      values: { needed: "3,000 USDC", available: "2,999.999999 USDC" },
    });
  });

  it("checks a sell against the base token", () => {
    expect(checkOrder(draft({ side: "sell", amount: "1" }), context({ available: WETH })).ok).toBe(true);
    const short = checkOrder(draft({ side: "sell", amount: "1.001" }), context({ available: WETH }));
    expect(!short.ok && short.errors.amount?.key).toBe("order.error.insufficientBalance");
  });

  it("does not check the balance when it is unknown", () => {
    expect(checkOrder(draft({ amount: "1000" }), context({ available: null })).ok).toBe(true);
  });

  it("reports empty, malformed, too precise and zero inputs on their own fields", () => {
    const result = checkOrder(draft({ price: " ", amount: "1e3" }), context());
    expect(!result.ok && result.errors.price?.key).toBe("order.error.required");
    expect(!result.ok && result.errors.amount?.key).toBe("order.error.notANumber");
    const precise = checkOrder(draft({ amount: "0.0000000000000000001" }), context());
    expect(!precise.ok && precise.errors.amount).toEqual({ key: "order.error.tooPrecise", values: { decimals: "18" } });
    const zero = checkOrder(draft({ price: "0" }), context());
    expect(!zero.ok && zero.errors.price?.key).toBe("order.error.notPositive");
  });

  it("signs the wallet's own fee rates when the API gives them", () => {
    const result = checkOrder(draft(), context({ feeRates: { makerFeeRate: 500, takerFeeRate: 800 } }));
    expect(result.ok && result.order.maxFeeRate).toBe(800);
  });

  it("signs only the maker rate for a post-only order and flags it", () => {
    const result = checkOrder(draft({ postOnly: true }), context());
    expect(result.ok && [result.order.maxFeeRate, result.order.flags, result.order.postOnly]).toEqual([1_000, 4, true]);
  });

  it("signs the worst price for a market buy: the sweep price plus slippage, and holds at it", () => {
    const asks = [
      [3_000n * USDC, WETH / 20n],
      [3_010n * USDC, WETH],
    ] as const;
    const result = checkOrder(draft({ kind: "market", timeInForce: "GTC", price: "" }), context({ oppositeLevels: asks }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // 0.1 WETH reaches the 3,010 level; 1 % worse is 3,040.10.
    expect(result.order.limitPrice).toBe(3_040_100_000n);
    expect(result.order.timeInForce).toBe("IOC"); // GTC is not a market order"s
    expect(result.order.flags).toBe(1);
    expect(result.order.hold).toBe(304_010_000n);
  });

  it("refuses a market order when the opposite book is empty", () => {
    const result = checkOrder(draft({ kind: "market", price: "" }), context());
    expect(!result.ok && result.errors.form?.key).toBe("order.error.noLiquidity");
  });

  it("prices a stop-market sell from its trigger and refuses a trigger the last trade already reached", () => {
    const stop = draft({ side: "sell", kind: "stopMarket", price: "", triggerPrice: "2900" });
    const result = checkOrder(stop, context({ available: WETH, market: DEV_MARKET_WITH_FEED }));
    expect(result.ok && [result.order.triggerPrice, result.order.limitPrice, result.order.flags]).toEqual([
      2_900n * USDC,
      2_871n * USDC,
      3,
    ]);
    const reached = checkOrder({ ...stop, triggerPrice: "3000" }, context({ available: WETH }));
    expect(!reached.ok && reached.errors.triggerPrice).toEqual({
      key: "order.error.triggerReachedSell",
      values: { last: "3,000.00 USDC" },
    });
  });

  it("measures a stop the contract checks against the price source from that source, not from the last trade", () => {
    const stop = draft({ side: "sell", kind: "stopMarket", price: "", triggerPrice: "2900" });
    const feedAt = (sourcePrice: bigint | null) =>
      checkOrder(stop, context({ available: WETH, market: DEV_MARKET_WITH_FEED, lastPrice: 2_800n * USDC, sourcePrice }));
    expect(feedAt(3_000n * USDC).ok).toBe(true); // the last trade (2,800) is past the trigger, the feed is not
    expect(feedAt(null).ok).toBe(true);
    const reached = feedAt(2_900n * USDC);
    expect(!reached.ok && reached.errors.triggerPrice).toEqual({
      key: "order.error.sourceReachedSell",
      values: { last: "2,900.00 USDC" },
    });
    const buy = checkOrder(
      { ...stop, side: "buy", triggerPrice: "3100" },
      context({ market: DEV_MARKET_WITH_FEED, sourcePrice: 3_100n * USDC }),
    );
    expect(!buy.ok && buy.errors.triggerPrice?.key).toBe("order.error.sourceReachedBuy");
  });

  it("checks a stop-limit order on both its prices", () => {
    const stop = draft({ kind: "stopLimit", price: "3100", triggerPrice: "3050.001" });
    const result = checkOrder(stop, context());
    expect(!result.ok && result.errors.triggerPrice?.key).toBe("order.error.offTick");
    const good = checkOrder({ ...stop, triggerPrice: "3050" }, context({ market: DEV_MARKET_WITH_FEED }));
    expect(good.ok && [good.order.flags, good.order.limitPrice, good.order.triggerPrice]).toEqual([
      2,
      3_100n * USDC,
      3_050n * USDC,
    ]);
  });
});

describe("worstPrice", () => {
  it("moves a buy up and a sell down by the slippage, staying on the tick and never looser", () => {
    expect(worstPrice("buy", 3_000_000_000n, 100n, 10_000n)).toBe(3_030_000_000n);
    expect(worstPrice("sell", 3_000_000_000n, 100n, 10_000n)).toBe(2_970_000_000n);
    // 1 % of 3,000.01 is 30.0001: a buy rounds down to 3,030.01, a sell up to 2,970.01.
    expect(worstPrice("buy", 3_000_010_000n, 100n, 10_000n)).toBe(3_030_010_000n);
    expect(worstPrice("sell", 3_000_010_000n, 100n, 10_000n)).toBe(2_970_010_000n);
  });

  it("never signs a sell below one tick", () => {
    expect(worstPrice("sell", 10_000n, 9_999n, 10_000n)).toBe(10_000n);
  });
});

describe("sweepPrice", () => {
  const levels = [
    [100n, 5n],
    [101n, 5n],
    [103n, 5n],
  ] as const;
  it("is the price of the last level the amount reaches", () => {
    expect(sweepPrice(levels, 0n)).toBe(100n);
    expect(sweepPrice(levels, 5n)).toBe(100n);
    expect(sweepPrice(levels, 6n)).toBe(101n);
    expect(sweepPrice(levels, 100n)).toBe(103n);
    expect(sweepPrice([], 1n)).toBeNull();
  });
});

describe("the market's own order limits", () => {
  const risk = { bandBps: null, breakerBps: null, alertBps: null, windowS: null, cooldownS: null, feedAlertBps: null,
    feedHaltBps: null, maxOpenNotional: null, reference: null };  // prettier-ignore
  const limited = { ...MARKET, risk: { ...risk, maxOrderBase: String(2n * WETH), maxOrderNotional: String(6_000n * USDC) } };

  it("are checked before the wallet is asked, as the API's risk desk checks them", () => {
    const tooBig = checkOrder(draft({ amount: "2.001", price: "1000" }), context({ market: limited }));
    expect(tooBig).toMatchObject({ ok: false, errors: { amount: { key: "order.error.aboveMaxOrderBase" } } });
    const tooDear = checkOrder(draft({ amount: "2", price: "3000.01" }), context({ market: limited }));
    expect(tooDear).toMatchObject({
      ok: false,
      errors: { amount: { key: "order.error.aboveMaxOrderNotional", values: { notional: "6,000.02 USDC" } } },
    });
    expect(checkOrder(draft({ amount: "2", price: "3000" }), context({ market: limited })).ok).toBe(true);
  });

  it("value a sell priced below the book at the best bid, which is what it would be paid", () => {
    const bids: Level[] = [[3_500n * USDC, 10n * WETH]];
    const selling = { market: limited, available: 10n * WETH };
    const dumped = checkOrder(draft({ side: "sell", amount: "2", price: "1000" }), context({ ...selling, oppositeLevels: bids }));
    expect(dumped).toMatchObject({ ok: false, errors: { amount: { key: "order.error.aboveMaxOrderNotional" } } });
    expect(checkOrder(draft({ side: "sell", amount: "2", price: "1000" }), context(selling)).ok).toBe(true); // no bids
  });

  it("value a sell limit at a best bid above its limit, and at its limit once the bid is below it", () => {
    // 2 WETH at 3,000 is exactly the 6,000 USDC allowed: more only while a bid above 3,000 would pay more
    const withBest = (price: bigint) => context({ market: limited, available: 10n * WETH, oppositeLevels: [[price * USDC, WETH]] });
    const order = draft({ side: "sell", amount: "2", price: "3000" });
    expect(checkOrder(order, withBest(3_100n))).toMatchObject({
      ok: false,
      errors: { amount: { key: "order.error.aboveMaxOrderNotional", values: { notional: "6,200 USDC" } } },
    });
    expect(checkOrder(order, withBest(2_900n)).ok).toBe(true);
    expect(checkOrder(draft({ amount: "2", price: "3000" }), withBest(3_100n)).ok).toBe(true); // a buy pays its limit at most
  });
});

describe("readsBook", () => {
  it("is true for a market order and for a sell of any kind (its best bid may value it), so the form keeps the book current", () => {
    const kinds: OrderKind[] = ["limit", "market", "stopLimit", "stopMarket"];
    expect(kinds.map((kind) => readsBook({ side: "sell", kind }))).toEqual([true, true, true, true]);
    expect(kinds.map((kind) => readsBook({ side: "buy", kind }))).toEqual([false, true, false, false]);
  });
});

describe("checkOrder with the wallet's KYC tier limit", () => {
  // level 0: orders worth at most 10,000 USDC; the reference token is the market's quote
  const LEVEL_0 = {
    most: 10_000n * USDC,
    level: 0,
    reference: { symbol: "USDC", token: MARKET.quoteToken.address.toLowerCase(), decimals: 6 },
  };
  const limited = (lastPrice: bigint | null) => context({ tierLimit: LEVEL_0, lastPrice });

  it("refuses before signing an order worth more than the level allows, naming the value, the limit and the level", () => {
    // 6 WETH at 1,800 is 10,800 USDC of quote
    const result = checkOrder(draft({ amount: "6", price: "1800" }), limited(1_500n * USDC));
    expect(result).toEqual({
      ok: false,
      errors: {
        amount: { key: "order.error.aboveTierLimit", values: { value: "10,800 USDC", most: "10,000 USDC", level: "0" } },
      },
    });
  });

  it("values the order at its base amount times the last price when that is more, as the API does", () => {
    // 5 WETH at 1,800 is 9,000 USDC of quote, but 5 WETH at the last trade of 2,100 is 10,500 USDC
    const result = checkOrder(draft({ amount: "5", price: "1800" }), limited(2_100n * USDC));
    expect(result).toMatchObject({ ok: false, errors: { amount: { values: { value: "10,500 USDC" } } } });
    expect(checkOrder(draft({ amount: "5", price: "1800" }), limited(null)).ok).toBe(true); // no trade yet: the quote leg
  });

  it("values a sell at a best bid above its limit, as the API does", () => {
    // 5 WETH at 1,800 is 9,000 USDC of quote, but a bid of 2,100 would pay 10,500 USDC for them
    const selling = (bid: bigint) =>
      context({ tierLimit: LEVEL_0, lastPrice: null, available: 10n * WETH, oppositeLevels: [[bid * USDC, WETH]] });
    const order = draft({ side: "sell", amount: "5", price: "1800" });
    expect(checkOrder(order, selling(2_100n))).toMatchObject({ ok: false, errors: { amount: { values: { value: "10,500 USDC" } } } });
    expect(checkOrder(order, selling(1_700n)).ok).toBe(true);
  });

  it("values a base-token reference at the base amount, and the quote leg at the inverted last price", () => {
    const inWeth = { ...LEVEL_0, most: 5n * WETH, reference: { symbol: "WETH", token: MARKET.baseToken.address, decimals: 18 } };
    const atLast = (price: string, lastPrice: bigint) => checkOrder(draft({ amount: "5", price }), context({ tierLimit: inWeth, lastPrice }));
    expect(atLast("2000", 2_000n * USDC).ok).toBe(true); // worth exactly 5 WETH
    // 10,000 USDC of quote at a last trade of 1,600 is 6.25 WETH
    expect(atLast("2000", 1_600n * USDC)).toMatchObject({ ok: false, errors: { amount: { values: { value: "6.25 WETH" } } } });
  });

  it("leaves an order this market cannot value, or an unknown limit, to the API", () => {
    const elsewhere = { ...LEVEL_0, reference: { symbol: "DAI", token: "0x00000000000000000000000000000000000000da", decimals: 18 } };
    expect(checkOrder(draft({ amount: "6", price: "1800" }), context({ tierLimit: elsewhere })).ok).toBe(true);
    expect(checkOrder(draft({ amount: "6", price: "1800" }), context({ tierLimit: null })).ok).toBe(true);
  });
});

describe("amountForPercent", () => {
  it("sells a share of the base balance, down to the lot", () => {
    expect(amountForPercent("sell", 1_234_567_000_000_000_000n, 50n, null, 10n ** 15n)).toBe(617_000_000_000_000_000n);
  });

  it("buys what a share of the quote balance pays for at the price, never more than it holds", () => {
    const amount = amountForPercent("buy", 1_000n * USDC, 100n, PRICE_3000, 10n ** 15n);
    expect(amount).toBe(333_000_000_000_000_000n);
    expect((amount! * PRICE_3000) / WETH <= 1_000n * USDC).toBe(true);
    expect(amountForPercent("buy", 1_000n * USDC, 25n, null, 10n ** 15n)).toBeNull();
  });
});

describe("marketBuyAmountForPercent", () => {
  const LOT = 10n ** 15n;
  const TICK = 10_000n;
  // asks: 1 WETH at 3,000 and 10 WETH at 3,100 USDC; 1% slippage
  const ASKS: Level[] = [[3_000n * USDC, WETH], [3_100n * USDC, 10n * WETH]];

  it("buys what the budget holds at the worst price of the amount itself, not of the best level", () => {
    // At the best level's worst price (3,030) 6,000 USDC would buy 1.98 WETH, which reaches the second level
    // (worst 3,131) and then needs 6,199.38 USDC: the form refused the amount its own button typed.
    const amount = marketBuyAmountForPercent(6_000n * USDC, 100n, ASKS, 100n, TICK, LOT)!;
    expect(amount).toBe(1_916_000_000_000_000_000n);
    const worst = worstPrice("buy", sweepPrice(ASKS, amount)!, 100n, TICK);
    expect((amount * worst) / WETH <= 6_000n * USDC).toBe(true);
    expect(((amount + LOT) * worst) / WETH > 6_000n * USDC).toBe(true); // the largest on the lot
  });

  it("stays within the best level when the budget does, and spends the whole book's last price when thin", () => {
    expect(marketBuyAmountForPercent(1_000n * USDC, 100n, ASKS, 100n, TICK, LOT)).toBe(330_000_000_000_000_000n);
    const thin = marketBuyAmountForPercent(100_000n * USDC, 100n, ASKS, 100n, TICK, LOT)!;
    expect(thin).toBe(31_938_000_000_000_000_000n); // at 3,131 beyond the book: the rest is cancelled
    expect(marketBuyAmountForPercent(1_000n * USDC, 100n, [], 100n, TICK, LOT)).toBeNull();
  });

  it("stops at the end of a level when the next one's worst price leaves nothing more", () => {
    const steep: Level[] = [[3_000n * USDC, WETH], [9_000n * USDC, WETH]];
    // 3,100 USDC: 1.023 WETH at the first level's worst price, but at the second's (9,090) only 0.341: 1 WETH
    expect(marketBuyAmountForPercent(3_100n * USDC, 100n, steep, 100n, TICK, LOT)).toBe(WETH);
  });
});

describe("orderFlags", () => {
  const plain = { postOnly: false, timeInForce: "GTC", operatorTrigger: false } as const;

  it("puts the kind in bits 0-1 and post-only in bit 2, for limit orders only", () => {
    const kinds: OrderKind[] = ["limit", "market", "stopLimit", "stopMarket"];
    expect(kinds.map((kind) => orderFlags(kind, plain))).toEqual([0, 1, 2, 3]);
    const postOnly = { ...plain, postOnly: true };
    expect([orderFlags("limit", postOnly), orderFlags("market", postOnly)]).toEqual([4, 1]);
  });

  it("signs fill-or-kill as bit 3, only for the kinds that take FOK and never with post-only", () => {
    const fok = { ...plain, timeInForce: "FOK" } as const;
    expect([orderFlags("limit", fok), orderFlags("market", fok)]).toEqual([8, 9]);
    expect([orderFlags("stopLimit", fok), orderFlags("stopMarket", fok)]).toEqual([2, 3]);
    expect(orderFlags("limit", { ...fok, postOnly: true })).toBe(4);
  });

  it("signs the operator trigger as bit 4 on stop orders only", () => {
    const operator = { ...plain, operatorTrigger: true };
    const kinds: OrderKind[] = ["limit", "market", "stopLimit", "stopMarket"];
    expect(kinds.map((kind) => orderFlags(kind, operator))).toEqual([0, 1, 18, 19]);
    expect([isOperatorTriggered(18), isOperatorTriggered(2), isOperatorTriggered(19)]).toEqual([true, false, true]);
  });
});

describe("needsOperatorTrigger", () => {
  it("is true for a stop order in a market without a price source, null or absent, and false otherwise", () => {
    const kinds: OrderKind[] = ["limit", "market", "stopLimit", "stopMarket"];
    expect(kinds.map((kind) => needsOperatorTrigger(kind, { priceSource: null }))).toEqual([false, false, true, true]);
    expect(kinds.map((kind) => needsOperatorTrigger(kind, {}))).toEqual([false, false, true, true]);
    expect(kinds.map((kind) => needsOperatorTrigger(kind, DEV_MARKET_WITH_FEED))).toEqual([false, false, false, false]);
  });
});

describe("the flags checkOrder signs for each kind and time in force", () => {
  const asks = [[3_000n * USDC, WETH]] as const;
  const byKind: Record<OrderKind, Partial<OrderDraft>> = {
    limit: {},
    market: { price: "" },
    stopLimit: { price: "3100", triggerPrice: "3050" },
    stopMarket: { price: "", triggerPrice: "3050" },
  };
  // [kind, chosen time in force, post-only, flags with a price source, flags without one]
  const cases: [OrderKind, TimeInForce, boolean, number, number][] = [
    ["limit", "GTC", false, 0, 0],
    ["limit", "IOC", false, 0, 0],
    ["limit", "FOK", false, 8, 8],
    ["limit", "GTC", true, 4, 4],
    ["limit", "FOK", true, 4, 4], // post-only wins: the form disables the time in force then
    ["market", "IOC", false, 1, 1],
    ["market", "FOK", false, 9, 9],
    ["market", "GTC", false, 1, 1], // a market order takes IOC instead
    ["stopLimit", "GTC", false, 2, 18],
    ["stopLimit", "FOK", false, 2, 18], // a stop-limit takes GTC only
    ["stopMarket", "IOC", false, 3, 19],
    ["stopMarket", "FOK", false, 3, 19], // a stop-market takes IOC only
  ];

  for (const [kind, timeInForce, postOnly, withFeed, withoutFeed] of cases) {
    const label = `${kind} ${timeInForce}${postOnly ? " post-only" : ""}`;
    it(`signs ${withFeed} for ${label} with a price source and ${withoutFeed} without one`, () => {
      const order = draft({ kind, timeInForce, postOnly, ...byKind[kind] });
      const signed = [DEV_MARKET_WITH_FEED, MARKET].map((market) => {
        const result = checkOrder(order, context({ market, oppositeLevels: asks }));
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        return result.order.flags;
      });
      expect(signed).toEqual([withFeed, withoutFeed]);
    });
  }
});
