/** The public statistics API: per market per day, and volume per day and quote token. */
import { api } from "../../lib/api-client";
import type { MarketDay, VolumeDay } from "./stats-data";

export interface Range {
  from: string;
  to: string;
}

export const statsApi = {
  markets: (range: Range) => api.get<Range & { days: MarketDay[] }>("/v1/stats/markets", { query: { ...range } }),
  volume: (range: Range) => api.get<Range & { days: VolumeDay[] }>("/v1/stats/volume", { query: { ...range } }),
};
