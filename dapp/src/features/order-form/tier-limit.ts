/**
 * The wallet's largest order by KYC level (`maxOrderNotional` of `GET /v1/accounts/{address}/limits`), checked
 * before anything is signed. The API values an order in its reference token at the larger of its two legs
 * (backend/limits/service.py `order_notional`, backend/limits/valuation.py): its quote amount at the highest price
 * it can trade at, and its base amount at the market's last trade price, each rounded up. The form values only what
 * this market alone prices (one of its tokens is the reference token); anything else is left to the API.
 */
import type { Market } from "../../lib/api-types";
import { PRICE_SCALE } from "../../lib/market";
import { useLimits } from "../account/account-api";
import { useAuth } from "../auth";
import { useWallet } from "../wallet";

/** The wallet's largest order and what it is valued in. */
export interface TierLimit {
  /** Reference base units. */
  most: bigint;
  level: number;
  reference: { symbol: string; token: string; decimals: number };
}

/** The connected wallet's tier limit, or null while unknown (the API serves it only to the wallet's own session). */
export function useTierLimit(): TierLimit | null {
  const { address } = useWallet();
  const { status } = useAuth();
  const limits = useLimits(status === "signed-in" ? address : null);
  if (!limits.data) return null;
  const { level, reference } = limits.data;
  return { most: BigInt(limits.data.limits.maxOrderNotional), level, reference };
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

function larger(one: bigint | null, other: bigint | null): bigint | null {
  if (one === null || other === null) return one ?? other;
  return one > other ? one : other;
}

/**
 * What the API counts an order of `baseAmount` at `highestPrice` (the most it can trade at) as worth, in base units
 * of `reference`; `lastPrice` is the market's last trade (null without trades). Null when this market cannot value
 * it (neither of its tokens is the reference token).
 */
export function orderValue(
  market: Pick<Market, "baseToken" | "quoteToken">,
  baseAmount: bigint,
  highestPrice: bigint,
  lastPrice: bigint | null,
  reference: string,
): bigint | null {
  const quote = ceilDiv(baseAmount * highestPrice, PRICE_SCALE);
  const priced = lastPrice !== null && lastPrice > 0n;
  if (market.quoteToken.address.toLowerCase() === reference.toLowerCase()) {
    return larger(quote, priced ? ceilDiv(baseAmount * lastPrice, PRICE_SCALE) : null);
  }
  if (market.baseToken.address.toLowerCase() === reference.toLowerCase()) {
    return larger(baseAmount, priced ? ceilDiv(quote * PRICE_SCALE, lastPrice) : null);
  }
  return null;
}
