import type { Trade } from "../../lib/api-types";

export const TRADES_KEPT = 50;

/** New trades in front of the list (newest first), without duplicates (REST and stream overlap), at most `keep`. */
export function prependTrades(list: readonly Trade[], incoming: readonly Trade[], keep = TRADES_KEPT): Trade[] {
  const seen = new Set(list.map((trade) => trade.id));
  const fresh = incoming.filter((trade) => !seen.has(trade.id));
  if (fresh.length === 0) return list as Trade[];
  return [...fresh, ...list].sort((a, b) => b.time - a.time || Number(BigInt(b.id) - BigInt(a.id))).slice(0, keep);
}
