import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import type { MarketList } from "../../lib/api-types";

/** Every market (GET /v1/markets); states change rarely, so a minute of staleness is fine. */
export const marketsQuery = queryOptions({
  queryKey: ["markets"],
  queryFn: async () => (await api.get<MarketList>("/v1/markets")).markets,
  staleTime: 60_000,
  refetchInterval: 60_000,
});

export function useMarkets() {
  return useQuery(marketsQuery);
}
