/** Shapes of the API's JSON (README "The trading API"). Amounts and prices are decimal strings of base units. */

export interface TokenInfo {
  address: `0x${string}`;
  symbol: string;
  decimals: number;
}

export type MarketState = "open" | "cancel_only" | "halted";

/** The on-chain price source the contract checks a market's stop orders against: a Chainlink feed, trusted
 * while its answer is at most `maxAge` seconds old (decimal string). `price`: the reference price the exchange
 * last read from it (stops fire on it), null before the first read, absent from an API that predates it. */
export interface PriceSource {
  feed: `0x${string}`;
  maxAge: string;
  price?: string | null;
}

export interface Market {
  name: string;
  baseToken: TokenInfo;
  quoteToken: TokenInfo;
  /** Prices are quote base units per `priceScale` (1e18) base base-units. */
  priceScale: string;
  tickSize: string;
  lotSize: string;
  minNotional: string;
  /** Fee rates in millionths (`feeRateScale`). */
  makerFeeRate: number;
  takerFeeRate: number;
  feeRateScale: number;
  state: MarketState;
  /** Null (or absent, from an API that predates it) when the market has no price source: its stop orders
   * are then triggered by the operator (`priceSourceOf`). */
  priceSource?: PriceSource | null;
  /** Why the market is halted by its risk checks (state `cancel_only` meanwhile), or null; absent from an
   * API that predates issue 14. */
  halt?: MarketHalt | null;
  risk?: MarketRisk;
}

/** A risk halt: a circuit breaker, a deviating price feed, or staff. Orders are refused until `until`. */
export interface MarketHalt {
  kind: "breaker" | "feed" | "staff";
  reason: string;
  /** The reference price the move was measured from (price units, decimal string), when there is one. */
  reference: string | null;
  price: string | null;
  haltedAt: number;
  /** Epoch ms: when the market reopens by itself. */
  until: number | null;
}

/** A market's risk settings: bands and breakers in basis points, windows in seconds, limits in base units. */
export interface MarketRisk {
  bandBps: number | null;
  breakerBps: number | null;
  alertBps: number | null;
  windowS: number | null;
  cooldownS: number | null;
  feedAlertBps: number | null;
  feedHaltBps: number | null;
  maxOrderBase: string | null;
  maxOrderNotional: string | null;
  maxOpenNotional: string | null;
  /** The current reference price (price units), null before the first trade. */
  reference: string | null;
}

export interface MarketList {
  markets: Market[];
}

export interface TickerStats {
  open: string | null;
  high: string | null;
  low: string | null;
  last: string | null;
  baseVolume: string;
  quoteVolume: string;
  trades: number;
}

export interface Ticker extends TickerStats {
  market: string;
  bestBid?: string | null;
  bestAsk?: string | null;
}

/** [price, quantity] */
export type BookLevel = [string, string];

export interface BookSnapshot {
  market: string;
  seq: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export type Side = "buy" | "sell";

export interface Trade {
  id: string;
  market: string;
  price: string;
  baseAmount: string;
  quoteAmount: string;
  takerSide: Side;
  maker: string;
  taker: string;
  status: string;
  time: number;
}

export interface TradeList {
  trades: Trade[];
  next: string | null;
}

export const CANDLE_INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

export interface Candle {
  interval: CandleInterval;
  /** Epoch milliseconds of the interval's start. */
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
  baseVolume: string;
  quoteVolume: string;
  trades: number;
}

export interface CandleList {
  market: string;
  interval: CandleInterval;
  candles: Candle[];
}

export interface Health {
  status: string;
  chain_id: number;
  block_number: number | null;
  contracts: Record<string, string>;
}
