/**
 * The order form's rules, checked before the wallet is asked: the grid, notional, trigger and balance
 * rules the API applies (backend/engine/market.py `check_order`, backend/trading/checks.py), so a
 * refusal is explained next to its field and nothing is signed.
 *
 * Units are those of the signed order (IExchange.sol): amounts in base-token base units, prices in
 * quote base units per 1e18 base base-units. Every number is a bigint; text only comes in (what the
 * person typed) and goes out (the values of an error message, formatted for `locale`).
 */

import type { MessageKey } from "../../i18n";
import type { Market, Side } from "../../lib/api-types";
import { formatUnits, parseUnits } from "../../lib/format";
import { PRICE_SCALE, formatBaseAmount, formatPrice, parsePrice, priceDecimals, priceSourceOf } from "../../lib/market";
import { orderValue, type TierLimit } from "./tier-limit";

const FEE_RATE_SCALE = 1_000_000n;
const BPS = 10_000n;

export type OrderKind = "limit" | "market" | "stopLimit" | "stopMarket";
export type TimeInForce = "GTC" | "IOC" | "FOK";

export const ORDER_KINDS: readonly OrderKind[] = ["limit", "market", "stopLimit", "stopMarket"];

/** Each kind's name in the catalogue ("Limit", "Stop market"). */
export const KIND_LABEL: Record<OrderKind, MessageKey> = {
  limit: "order.kind.limit",
  market: "order.kind.market",
  stopLimit: "order.kind.stopLimit",
  stopMarket: "order.kind.stopMarket",
};

/** Flags (IExchange.sol): bits 0-1 the kind, bit 2 post-only, bit 3 fill-or-kill (the contract settles the
 * order whole in one batch or not at all), bit 4 operator-triggered (a stop the operator decides has triggered,
 * instead of the contract reading the market's price source). */
const KIND_FLAGS: Record<OrderKind, number> = { limit: 0, market: 1, stopLimit: 2, stopMarket: 3 };
const FLAG_POST_ONLY = 4;
const FLAG_FILL_OR_KILL = 8;
const FLAG_OPERATOR_TRIGGER = 16;

/** The times in force each kind accepts, default first (backend/engine/market.py `_TIF_RULES`). */
export const TIME_IN_FORCE: Record<OrderKind, readonly TimeInForce[]> = {
  limit: ["GTC", "IOC", "FOK"],
  market: ["IOC", "FOK"],
  stopLimit: ["GTC"],
  stopMarket: ["IOC"],
};

/** What the flags sign besides the kind. */
export interface FlagChoices {
  postOnly: boolean;
  timeInForce: TimeInForce;
  /** The market has no price source, so a stop order lets the operator decide when it triggered. */
  operatorTrigger: boolean;
}

/** The signed flags. Post-only counts for limit orders only and wins over FOK (a post-only order never takes,
 * a FOK order only takes); FOK only for the kinds that accept it; the operator trigger only for stop orders. */
export function orderFlags(kind: OrderKind, choices: FlagChoices): number {
  const postOnly = choices.postOnly && kind === "limit";
  const fillOrKill = !postOnly && choices.timeInForce === "FOK" && TIME_IN_FORCE[kind].includes("FOK");
  const operatorTrigger = choices.operatorTrigger && isStopKind(kind);
  return (
    KIND_FLAGS[kind] |
    (postOnly ? FLAG_POST_ONLY : 0) |
    (fillOrKill ? FLAG_FILL_OR_KILL : 0) |
    (operatorTrigger ? FLAG_OPERATOR_TRIGGER : 0)
  );
}

/** Whether signed `flags` leave the stop trigger to the operator (bit 4). */
export function isOperatorTriggered(flags: number): boolean {
  return (flags & FLAG_OPERATOR_TRIGGER) !== 0;
}

/** Whether an order of `kind` in `market` must be operator-triggered: a stop in a market without a price
 * source (the API refuses such a stop without the flag, STOP_NEEDS_PRICE_SOURCE). */
export function needsOperatorTrigger(kind: OrderKind, market: Pick<Market, "priceSource">): boolean {
  return isStopKind(kind) && priceSourceOf(market) === null;
}

/** The kind an order's flags sign for (for tables of orders read back from the API). */
export function kindOfFlags(flags: number): OrderKind {
  return ORDER_KINDS[flags & 3] ?? "limit";
}

export function isMarketKind(kind: OrderKind): boolean {
  return kind === "market" || kind === "stopMarket";
}

export function isStopKind(kind: OrderKind): boolean {
  return kind === "stopLimit" || kind === "stopMarket";
}

/** Quote base units of `baseAmount` at `price` (exact on a market's grid). */
export function quoteAmount(baseAmount: bigint, price: bigint): bigint {
  return (baseAmount * price) / PRICE_SCALE;
}

/** What the exchange holds while an order is open, in the token it pays with: base for a sell, quote
 * at the (worst) limit price for a buy (backend/trading/orders.py `reservation`). */
function orderHold(side: Side, baseAmount: bigint, limitPrice: bigint): bigint {
  return side === "sell" ? baseAmount : quoteAmount(baseAmount, limitPrice);
}

function floorTo(value: bigint, step: bigint): bigint {
  return value - (value % step);
}

function ceilTo(value: bigint, step: bigint): bigint {
  const rest = value % step;
  return rest === 0n ? value : value + step - rest;
}

/** The fee rate an order signs: the higher of the two rates, or only the maker rate for a post-only
 * order, which can never take liquidity. */
export function signedFeeRate(rates: Pick<Market, "makerFeeRate" | "takerFeeRate">, postOnly: boolean): number {
  return postOnly ? rates.makerFeeRate : Math.max(rates.makerFeeRate, rates.takerFeeRate);
}

/** The fee at `rate` millionths of what the order receives when it fills at `limitPrice`: base for a
 * buy (exact: a buy receives its amount whatever the price), quote for a sell (a sell filled at a
 * better price receives more quote and pays a little more fee: the preview says "about"). */
function feeAt(side: Side, baseAmount: bigint, limitPrice: bigint, rate: number): bigint {
  const received = side === "buy" ? baseAmount : quoteAmount(baseAmount, limitPrice);
  return (received * BigInt(rate)) / FEE_RATE_SCALE;
}

/** A book level: [price, base amount]. */
export type Level = readonly [bigint, bigint];

/** The price of the last level a market order of `amount` reaches on the opposite side (best
 * first); the last level when the book is too thin (the rest is cancelled), null when it is empty. */
export function sweepPrice(levels: readonly Level[], amount: bigint): bigint | null {
  let reached = 0n;
  for (const [price, size] of levels) {
    reached += size;
    if (reached >= amount) return price;
  }
  return levels.at(-1)?.[0] ?? null;
}

/** The worst price a market or stop-market order signs as its `limitPrice`: `reference` moved against
 * the trader by `slippageBps`, on the tick, never looser than asked (a buy rounds down, a sell up) and
 * never below one tick. */
export function worstPrice(side: Side, reference: bigint, slippageBps: bigint, tick: bigint): bigint {
  if (side === "buy") return floorTo((reference * (BPS + slippageBps)) / BPS, tick);
  const lowest = ceilTo((reference * (BPS - slippageBps) + BPS - 1n) / BPS, tick);
  return lowest > tick ? lowest : tick;
}

/** The amount that spends `percent` of `available`, down to the lot: base itself for a sell; for a buy
 * what the quote pays for at `price` (the limit or worst price: what a buy holds). */
export function amountForPercent(
  side: Side,
  available: bigint,
  percent: bigint,
  price: bigint | null,
  lot: bigint,
): bigint | null {
  const budget = (available * percent) / 100n;
  if (side === "sell") return floorTo(budget, lot);
  if (price === null || price <= 0n) return null;
  return floorTo((budget * PRICE_SCALE) / price, lot);
}

/** The largest market buy, down to the lot, that `percent` of `available` quote holds: a buy holds its amount at
 * the worst price it signs, and that price rises with the amount as it reaches deeper levels (`levels`, best
 * first), so the amount is found level by level; null when the book is empty. */
export function marketBuyAmountForPercent(
  available: bigint,
  percent: bigint,
  levels: readonly Level[],
  slippageBps: bigint,
  tick: bigint,
  lot: bigint,
): bigint | null {
  const budget = (available * percent) / 100n;
  let reached = 0n; // what the levels before this one hold
  for (const [index, [price, size]] of levels.entries()) {
    const affordable = floorTo((budget * PRICE_SCALE) / worstPrice("buy", price, slippageBps, tick), lot);
    if (affordable <= reached) return floorTo(reached, lot); // this level's price is beyond the budget
    if (affordable <= reached + size || index === levels.length - 1) return affordable;
    reached += size;
  }
  return null;
}

// ------------------------------------------------------------------ validation

/** A problem with one field: a catalogue key and its values, already formatted for people. */
export interface FieldError {
  key: MessageKey;
  values?: Record<string, string>;
}

export type OrderField = "price" | "amount" | "triggerPrice" | "form";

/** What the person typed and chose. */
export interface OrderDraft {
  side: Side;
  kind: OrderKind;
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: string;
  amount: string;
  triggerPrice: string;
  /** How far past the reference price a market kind may fill, in basis points. */
  slippageBps: bigint;
}

/** What the rules read besides the draft. */
export interface OrderContext {
  market: Market;
  /** The fee rates that apply to this wallet (`GET /v1/accounts/{a}/fees`, else the market's). */
  feeRates: Pick<Market, "makerFeeRate" | "takerFeeRate">;
  /** Exchange `available` of the token the order pays with (quote for a buy, base for a sell); null
   * when unknown (not connected), and then the balance is not checked. */
  available: bigint | null;
  /** Last trade price, for an operator-triggered stop's trigger; null without trades. */
  lastPrice: bigint | null;
  /** The price source's last reference price (`priceSource.price`): the trigger of a stop the contract checks
   * against the source is measured from it; null when unknown. */
  sourcePrice: bigint | null;
  /** The opposite side of the book, best first: a market order's reference price, and a sell's best bid (see
   * `readsBook`). */
  oppositeLevels: readonly Level[];
  /** The wallet's largest order by KYC level; null while unknown (then the API checks it alone). */
  tierLimit: TierLimit | null;
  /** For the numbers inside error messages. */
  locale: string;
}

/** An order that passed every check: what will be signed, except maker, nonce and expiry. */
export interface CheckedOrder {
  side: Side;
  kind: OrderKind;
  timeInForce: TimeInForce;
  postOnly: boolean;
  baseAmount: bigint;
  limitPrice: bigint;
  triggerPrice: bigint;
  maxFeeRate: number;
  flags: number;
  /** What the exchange holds while the order is open, in the token it pays with. */
  hold: bigint;
  /** The fee at the signed rate if it fills at its limit price, in the token it receives. */
  feeAtLimit: bigint;
}

export type OrderCheck =
  | { ok: true; order: CheckedOrder }
  | { ok: false; errors: Partial<Record<OrderField, FieldError>> };

/** Whether the rules read the book (`oppositeLevels`) for an order, which must then be current: a market order is
 * priced from it, and a sell of any kind is valued at the best bid when that is above its limit, as the API values
 * it for the order limits (backend/trading/rules/markets.py `highest_price`, with the engine's best bid now). */
export function readsBook(draft: Pick<OrderDraft, "side" | "kind">): boolean {
  return draft.kind === "market" || draft.side === "sell";
}

/** The `limitPrice` the draft would sign: the typed price for limit kinds, the worst price for market
 * kinds (from the book for a market order, from the trigger for a stop-market); null while unknown. */
export function draftLimitPrice(draft: OrderDraft, context: OrderContext): bigint | null {
  const { market, locale } = context;
  if (draft.kind === "limit" || draft.kind === "stopLimit") {
    const price = parsePrice(draft.price, market, locale);
    return price.ok ? price.value : null;
  }
  let reference: bigint | null;
  if (draft.kind === "stopMarket") {
    const trigger = parsePrice(draft.triggerPrice, market, locale);
    reference = trigger.ok ? trigger.value : null;
  } else {
    const amount = parseUnits(draft.amount, market.baseToken.decimals, locale);
    reference = sweepPrice(context.oppositeLevels, amount.ok ? amount.value : 0n);
  }
  if (reference === null || reference <= 0n) return null;
  return worstPrice(draft.side, reference, draft.slippageBps, BigInt(market.tickSize));
}

/** Every rule, field by field; the first problem of each field is reported. */
export function checkOrder(draft: OrderDraft, context: OrderContext): OrderCheck {
  const { market, locale } = context;
  const errors: Partial<Record<OrderField, FieldError>> = {};
  const tick = BigInt(market.tickSize);
  const lot = BigInt(market.lotSize);
  const minNotional = BigInt(market.minNotional);
  const base = market.baseToken;
  const quote = market.quoteToken;
  const showPrice = (value: bigint) => `${formatPrice(value, market, locale)} ${quote.symbol}`;
  const showBase = (value: bigint) => `${formatBaseAmount(value, market, locale)} ${base.symbol}`;
  const showToken = (value: bigint, token: Market["baseToken"]) =>
    `${formatUnits(value, token.decimals, { locale })} ${token.symbol}`;
  const allowed = TIME_IN_FORCE[draft.kind];
  const timeInForce = allowed.includes(draft.timeInForce) ? draft.timeInForce : allowed[0]!;
  const postOnly = draft.postOnly && draft.kind === "limit";

  /** The most an order limited at `price` can trade at now (backend/trading/rules/markets.py `highest_price`): a
   * buy its limit; a sell the best bid (or its trigger) when that is above its limit. Orders are valued at it. */
  const highestPrice = (price: bigint): bigint => {
    if (draft.side === "buy") return price;
    const bestBid = context.oppositeLevels[0]?.[0] ?? 0n;
    return [price, triggerPrice, bestBid].reduce((a, b) => (b > a ? b : a));
  };

  /** The market's own order limits (`risk.maxOrderBase`, `risk.maxOrderNotional`), as the API's risk desk checks them. */
  const marketLimitError = (amount: bigint, price: bigint): FieldError | null => {
    const maxBase = market.risk?.maxOrderBase;
    if (maxBase && amount > BigInt(maxBase)) {
      return { key: "order.error.aboveMaxOrderBase", values: { most: showBase(BigInt(maxBase)) } };
    }
    const maxNotional = market.risk?.maxOrderNotional;
    if (!maxNotional) return null;
    const notional = quoteAmount(amount, highestPrice(price));
    if (notional <= BigInt(maxNotional)) return null;
    return {
      key: "order.error.aboveMaxOrderNotional",
      values: { notional: showToken(notional, quote), most: showToken(BigInt(maxNotional), quote) },
    };
  };

  /** The wallet's largest order by KYC level, valued as the API values it where this market can (./tier-limit). */
  const tierLimitError = (amount: bigint, price: bigint): FieldError | null => {
    const limit = context.tierLimit;
    if (limit === null) return null;
    const value = orderValue(market, amount, highestPrice(price), context.lastPrice, limit.reference.token);
    if (value === null || value <= limit.most) return null;
    const { symbol, decimals } = limit.reference;
    const showReference = (units: bigint) => `${formatUnits(units, decimals, { locale })} ${symbol}`;
    return {
      key: "order.error.aboveTierLimit",
      values: { value: showReference(value), most: showReference(limit.most), level: String(limit.level) },
    };
  };

  /** A typed amount as base units, or an error on `field`. */
  const typed = (text: string, decimals: number, field: OrderField): bigint | null => {
    if (text.trim() === "") {
      errors[field] = { key: "order.error.required" };
      return null;
    }
    const parsed = parseUnits(text, decimals, locale);
    if (!parsed.ok) {
      const reasons = {
        precision: { key: "order.error.tooPrecise", values: { decimals: String(decimals) } },
        grouping: { key: "common.error.misplacedGrouping" },
        invalid: { key: "order.error.notANumber" },
      } as const satisfies Record<typeof parsed.reason, FieldError>;
      errors[field] = reasons[parsed.reason];
      return null;
    }
    if (parsed.value <= 0n) {
      errors[field] = { key: "order.error.notPositive" };
      return null;
    }
    return parsed.value;
  };

  const onTick = (text: string, field: "price" | "triggerPrice"): bigint | null => {
    const value = typed(text, priceDecimals(market), field);
    if (value === null || value % tick === 0n) return value;
    const lower = floorTo(value, tick);
    // below the first step there is one neighbour on the grid, not two
    errors[field] =
      lower === 0n
        ? { key: "order.error.offTickBelowFirst", values: { tick: showPrice(tick) } }
        : { key: "order.error.offTick", values: { tick: showPrice(tick), lower: showPrice(lower), upper: showPrice(lower + tick) } };
    return null;
  };

  let baseAmount = typed(draft.amount, base.decimals, "amount");
  if (baseAmount !== null && baseAmount % lot !== 0n) {
    const lower = floorTo(baseAmount, lot);
    errors.amount =
      lower === 0n
        ? { key: "order.error.offLotBelowFirst", values: { lot: showBase(lot) } }
        : { key: "order.error.offLot", values: { lot: showBase(lot), lower: showBase(lower), upper: showBase(lower + lot) } };
    baseAmount = null;
  }

  let triggerPrice = 0n;
  if (isStopKind(draft.kind)) {
    const trigger = onTick(draft.triggerPrice, "triggerPrice");
    // A buy stop fires at or above its trigger, a sell stop at or below, on the price the contract checks it
    // against: the market's price source, or the last trade for an operator-triggered stop (a market without a
    // source). One that price already reached is refused by the API (WOULD_TRIGGER_IMMEDIATELY).
    const onSource = !needsOperatorTrigger(draft.kind, context.market);
    const last = onSource ? context.sourcePrice : context.lastPrice;
    if (trigger !== null && last !== null && (draft.side === "buy" ? last >= trigger : last <= trigger)) {
      const buy = draft.side === "buy";
      errors.triggerPrice = {
        key: onSource
          ? buy
            ? "order.error.sourceReachedBuy"
            : "order.error.sourceReachedSell"
          : buy
            ? "order.error.triggerReachedBuy"
            : "order.error.triggerReachedSell",
        values: { last: showPrice(last) },
      };
    } else if (trigger !== null) {
      triggerPrice = trigger;
    }
  }

  let limitPrice: bigint | null = null;
  if (draft.kind === "limit" || draft.kind === "stopLimit") {
    limitPrice = onTick(draft.price, "price");
  } else if (triggerPrice > 0n || draft.kind === "market") {
    limitPrice = draftLimitPrice(draft, context);
    if (limitPrice === null) errors.form = { key: "order.error.noLiquidity" };
  }

  if (baseAmount !== null && limitPrice !== null) {
    const aboveLimit = marketLimitError(baseAmount, limitPrice) ?? tierLimitError(baseAmount, limitPrice);
    // The engine's rule exactly: price * amount >= minNotional * 1e18 (backend/trading/markets.py).
    if (baseAmount * limitPrice < minNotional * PRICE_SCALE) {
      const needed = ceilTo((minNotional * PRICE_SCALE + limitPrice - 1n) / limitPrice, lot);
      errors.amount = {
        key: "order.error.belowMinNotional",
        values: { minimum: showToken(minNotional, quote), needed: showBase(needed) },
      };
    } else if (aboveLimit !== null) {
      errors.amount = aboveLimit;
    } else if (context.available !== null) {
      const hold = orderHold(draft.side, baseAmount, limitPrice);
      if (hold > context.available) {
        const token = draft.side === "buy" ? quote : base;
        errors.amount = {
          key: "order.error.insufficientBalance",
          values: { needed: showToken(hold, token), available: showToken(context.available, token) },
        };
      }
    }
  }

  if (Object.keys(errors).length > 0 || baseAmount === null || limitPrice === null) return { ok: false, errors };
  const maxFeeRate = signedFeeRate(context.feeRates, postOnly);
  return {
    ok: true,
    order: {
      side: draft.side,
      kind: draft.kind,
      timeInForce,
      postOnly,
      baseAmount,
      limitPrice,
      triggerPrice,
      maxFeeRate,
      flags: orderFlags(draft.kind, { postOnly, timeInForce, operatorTrigger: needsOperatorTrigger(draft.kind, market) }),
      hold: orderHold(draft.side, baseAmount, limitPrice),
      feeAtLimit: feeAt(draft.side, baseAmount, limitPrice, maxFeeRate),
    },
  };
}
