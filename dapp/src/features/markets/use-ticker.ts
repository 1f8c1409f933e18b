/** 24h statistics of a market: REST for the first paint, then every `ticker` message from the stream. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import type { Ticker } from "../../lib/api-types";
import { useStream } from "../../lib/use-stream";

export function useTicker(market: string) {
  const queryClient = useQueryClient();
  const key = ["ticker", market];
  const query = useQuery({
    queryKey: key,
    queryFn: () => api.get<Ticker>(`/v1/markets/${encodeURIComponent(market)}/ticker`),
  });
  useStream({ channel: "ticker", market }, (message) => {
    // Each message is the whole ticker: sent after a trade and whenever the best bid or ask moves.
    queryClient.setQueryData<Ticker>(key, (current) => ({ ...current, ...(message as unknown as Ticker) }));
  });
  return query;
}

/** (last - open) / open, as a fraction for percent formatting; null without trades in 24h. */
export function change24h(ticker: Pick<Ticker, "open" | "last">): number | null {
  if (!ticker.open || !ticker.last) return null;
  const open = BigInt(ticker.open);
  if (open === 0n) return null;
  const basisPoints = ((BigInt(ticker.last) - open) * 1_000_000n) / open; // millionths: exact to 4 decimals of %
  return Number(basisPoints) / 1_000_000;
}
