export { MarketHeader } from "./market-header";
export { isHalted, MarketHaltNotice } from "./market-halt";
export { MarketSelector } from "./market-selector";
export { marketsQuery, useMarkets } from "./use-markets";
export { useSelectedMarket } from "./use-selected-market";
export { change24h, useTicker } from "./use-ticker";
