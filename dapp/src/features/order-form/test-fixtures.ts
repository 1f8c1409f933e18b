/** Test fixtures: the dev market and the dev trader of the README. */
import type { Address } from "viem";
import type { Market } from "../../lib/api-types";

/** Tick 0.01 USDC, lot 0.001 WETH, min notional 10 USDC, fees 0.10 % (maker) and 0.20 % (taker); no price
 * source (as from an API without the field): its stop orders are operator-triggered. */
export const DEV_MARKET: Market = {
  name: "WETH-USDC",
  baseToken: { address: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", symbol: "WETH", decimals: 18 },
  quoteToken: { address: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", symbol: "USDC", decimals: 6 },
  priceScale: "1000000000000000000",
  tickSize: "10000",
  lotSize: "1000000000000000",
  minNotional: "10000000",
  makerFeeRate: 1_000,
  takerFeeRate: 2_000,
  feeRateScale: 1_000_000,
  state: "open",
};

/** The dev trader (account 5) of the README. */
export const MAKER: Address = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

/** The dev market with an on-chain price source: its stop orders are checked against the feed. */
export const DEV_MARKET_WITH_FEED: Market = {
  ...DEV_MARKET,
  priceSource: { feed: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707", maxAge: "3600" },
};
