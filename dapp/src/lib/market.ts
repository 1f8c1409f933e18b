/** What a market's grid means for display: price decimals, tick and lot digits, conversions. */
import type { Market, PriceSource } from "./api-types";
import { formatUnits, parseUnits, stepDecimals, type ParsedUnits } from "./format";

/**
 * A price is quote base units per 1e18 base base-units, so one human unit of price
 * (1 quote per 1 base) is 10^(quoteDecimals + 18 - baseDecimals) price units.
 */
export function priceDecimals(market: Market): number {
  return market.quoteToken.decimals + 18 - market.baseToken.decimals;
}

/** Digits shown for prices: what the tick size needs (tick 0.01 USDC -> 2). */
export function tickDecimals(market: Market): number {
  return stepDecimals(market.tickSize, priceDecimals(market));
}

/** Digits shown for base amounts: what the lot size needs (lot 0.001 WETH -> 3). */
export function lotDecimals(market: Market): number {
  return stepDecimals(market.lotSize, market.baseToken.decimals);
}

/** The market's on-chain price source for stop orders, or null: an API without the field has none. */
export function priceSourceOf(market: Pick<Market, "priceSource">): PriceSource | null {
  return market.priceSource ?? null;
}

export function formatPrice(raw: bigint | string, market: Market, locale: string): string {
  const digits = tickDecimals(market);
  return formatUnits(raw, priceDecimals(market), { locale, maxFractionDigits: digits, minFractionDigits: digits });
}

export function formatBaseAmount(raw: bigint | string, market: Market, locale: string): string {
  const digits = lotDecimals(market);
  return formatUnits(raw, market.baseToken.decimals, { locale, maxFractionDigits: digits, minFractionDigits: digits });
}

/** A base amount exactly (a fee of 0.0002 WETH), with at least the lot's digits, so it reads alike next to amounts. */
export function formatBaseAmountExact(raw: bigint | string, market: Market, locale: string): string {
  return formatUnits(raw, market.baseToken.decimals, { locale, minFractionDigits: lotDecimals(market) });
}

/** A quote amount exactly (a fill of 0.005 WETH at 3000.01 is 15.00005 USDC), with at least the tick's digits. */
export function formatQuoteAmount(raw: bigint | string, market: Market, locale: string): string {
  const digits = Math.min(tickDecimals(market), market.quoteToken.decimals);
  return formatUnits(raw, market.quoteToken.decimals, { locale, maxFractionDigits: market.quoteToken.decimals, minFractionDigits: digits });
}

/** A typed human price ("3000.5", or "3,000.5" in `locale`'s grouping) as a limitPrice in base units. */
export function parsePrice(text: string, market: Market, locale?: string): ParsedUnits {
  return parseUnits(text, priceDecimals(market), locale);
}

/** A price in base units as the plain text a price input shows ("3000.50"), no grouping. */
export function priceInputText(raw: bigint | string, market: Market): string {
  const digits = tickDecimals(market);
  return formatUnits(raw, priceDecimals(market), { locale: "en-US", maxFractionDigits: digits, minFractionDigits: digits }).replace(/,/g, "");
}

/** Prices are quote base units per this many base base-units (the contract's limitPrice; `Market.priceScale`). */
export const PRICE_SCALE = 10n ** 18n;

/** The average price of `baseAmount` traded for `quoteAmount` (an order's `filled` and `filledQuote`), in price
 * units, rounded down; `baseAmount` must be above 0. */
export function averagePrice(baseAmount: bigint, quoteAmount: bigint, market: Market): bigint {
  return (quoteAmount * BigInt(market.priceScale)) / baseAmount;
}

/** Quote base units for `baseAmount` at `price`: baseAmount * price / 1e18 (rounded down, as the contract). */
export function quoteForBase(baseAmount: bigint, price: bigint, market: Market): bigint {
  return (baseAmount * price) / BigInt(market.priceScale);
}
