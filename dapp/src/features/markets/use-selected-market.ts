/**
 * The market on screen lives in the URL (`/trade/WETH-USDC`), so a link or a reload shows the same
 * market; the API serves index.html for such paths. Unknown or missing names fall back to the first market.
 */
import { useCallback } from "react";
import type { Market } from "../../lib/api-types";
import { navigate, useLocation } from "../../lib/router";

const PREFIX = "/trade/";

export function marketFromPath(pathname: string): string | null {
  if (!pathname.startsWith(PREFIX)) return null;
  try {
    return decodeURIComponent(pathname.slice(PREFIX.length).replace(/\/$/, "")) || null;
  } catch {
    return null; // a malformed escape ("%E0"): the first market
  }
}

export function useSelectedMarket(markets: readonly Market[] | undefined): [Market | null, (name: string) => void] {
  const name = marketFromPath(useLocation().pathname);
  const select = useCallback((next: string) => navigate(`${PREFIX}${encodeURIComponent(next)}`), []);

  const market = markets?.find((m) => m.name === name) ?? markets?.[0] ?? null;
  return [market, select];
}
