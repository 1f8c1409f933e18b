/** Candles of a market and interval: history from REST, the current candle from the stream. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import type { Candle, CandleInterval, CandleList } from "../../lib/api-types";
import { useOnResync, useStream } from "../../lib/use-stream";
import { mergeCandle } from "./candles";

export function useCandles(market: string, interval: CandleInterval) {
  const queryClient = useQueryClient();
  const key = ["candles", market, interval];
  const query = useQuery({
    queryKey: key,
    queryFn: async () =>
      (await api.get<CandleList>(`/v1/markets/${encodeURIComponent(market)}/candles`, { query: { interval } })).candles,
    staleTime: Infinity, // the stream keeps it current
  });
  useStream({ channel: "candles", market, interval }, (message) => {
    queryClient.setQueryData<Candle[]>(key, (list) => (list ? mergeCandle(list, message as unknown as Candle) : list));
  });
  useOnResync(() => void query.refetch());
  return query;
}
