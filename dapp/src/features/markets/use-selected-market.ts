/**
 * The market on screen lives in the URL (`/trade/WETH-USDC`), so a link or a reload shows the same
 * market; the API serves index.html for such paths. Unknown or missing names fall back to the first market.
 */
import { useCallback, useEffect, useState } from "react";
import type { Market } from "../../lib/api-types";

const PREFIX = "/trade/";

export function marketFromPath(pathname: string): string | null {
  if (!pathname.startsWith(PREFIX)) return null;
  const name = decodeURIComponent(pathname.slice(PREFIX.length).replace(/\/$/, ""));
  return name || null;
}

export function useSelectedMarket(markets: readonly Market[] | undefined): [Market | null, (name: string) => void] {
  const [name, setName] = useState(() => marketFromPath(window.location.pathname));

  useEffect(() => {
    const onPop = () => setName(marketFromPath(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const select = useCallback((next: string) => {
    setName(next);
    window.history.pushState(null, "", `${PREFIX}${encodeURIComponent(next)}`);
  }, []);

  const market = markets?.find((m) => m.name === name) ?? markets?.[0] ?? null;
  return [market, select];
}
