/** Recent trades of a market: the REST page, then every trade from the stream, newest first. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import type { Trade, TradeList } from "../../lib/api-types";
import { useOnResync, useStream } from "../../lib/use-stream";
import { prependTrades, TRADES_KEPT } from "./trade-list";

export function useRecentTrades(market: string) {
  const queryClient = useQueryClient();
  const key = ["trades", market];
  const query = useQuery({
    queryKey: key,
    queryFn: async () =>
      (await api.get<TradeList>(`/v1/markets/${encodeURIComponent(market)}/trades`, { query: { limit: TRADES_KEPT } })).trades,
  });
  useStream({ channel: "trades", market }, (message) => {
    queryClient.setQueryData<Trade[]>(key, (list) => (list ? prependTrades(list, [message as unknown as Trade]) : list));
  });
  // Trades made while the socket was down are only in REST.
  useOnResync(() => void query.refetch());
  return query;
}
