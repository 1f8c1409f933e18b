import { queryOptions, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api } from "../../lib/api-client";
import type { Market, MarketHalt, MarketList, MarketState } from "../../lib/api-types";
import type { StreamMessage } from "../../lib/stream-client";
import { useOnResync, useStream } from "../../lib/use-stream";

/** Every market (GET /v1/markets); states change rarely and the `markets` stream says when, so a minute of
 * staleness is fine. */
export const marketsQuery = queryOptions({
  queryKey: ["markets"],
  queryFn: async () => (await api.get<MarketList>("/v1/markets")).markets,
  // 15 s: the price-source price a stop's trigger is checked against moves (the engine reads it every 2 s)
  staleTime: 15_000,
  refetchInterval: 15_000,
});

const STATES = new Set<string>(["open", "cancel_only", "halted"]);

/** A `marketStatus` message of the `markets` channel: a market's new state and its halt (null when none). */
export interface MarketStatus {
  market: string;
  state: MarketState;
  halt: MarketHalt | null;
}

export function parseMarketStatus(message: StreamMessage): MarketStatus | null {
  const { type, market, state, halt } = message;
  if (type !== "marketStatus" || typeof market !== "string" || typeof state !== "string" || !STATES.has(state)) return null;
  if (halt !== null && halt !== undefined && (typeof halt !== "object" || typeof (halt as MarketHalt).reason !== "string")) return null;
  return { market, state: state as MarketState, halt: (halt as MarketHalt | null | undefined) ?? null };
}

/** The market list with one market's status changed (the others as they were). */
export function applyMarketStatus(markets: Market[] | undefined, status: MarketStatus): Market[] | undefined {
  return markets?.map((m) => (m.name === status.market ? { ...m, state: status.state, halt: status.halt } : m));
}

/** The earliest end of a halt in the list, to read the list again then (a reopening the stream missed). */
export function nextHaltEnd(markets: readonly Market[] | undefined, now: number): number | null {
  const ends = (markets ?? []).map((m) => m.halt?.until ?? null).filter((until): until is number => until !== null && until > now);
  return ends.length > 0 ? Math.min(...ends) : null;
}

function useMarketStatusStream(queryClient: QueryClient, markets: readonly Market[] | undefined): void {
  useStream({ channel: "markets" }, (message) => {
    const status = parseMarketStatus(message);
    if (status) queryClient.setQueryData<Market[]>(marketsQuery.queryKey, (list) => applyMarketStatus(list, status));
  });
  useOnResync(() => void queryClient.invalidateQueries({ queryKey: marketsQuery.queryKey }));
  // A halt ends by itself at `until`: read the list again just after, should the stream's word be lost.
  const end = nextHaltEnd(markets, Date.now());
  useEffect(() => {
    if (end === null) return undefined;
    const timer = setTimeout(() => void queryClient.invalidateQueries({ queryKey: marketsQuery.queryKey }), end - Date.now() + 1_000);
    return () => clearTimeout(timer);
  }, [end, queryClient]);
}

/** Every market, kept current by the `markets` stream (state and halt). */
export function useMarkets() {
  const queryClient = useQueryClient();
  const query = useQuery(marketsQuery);
  useMarketStatusStream(queryClient, query.data);
  return query;
}
