import { QueryObserver } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { Candle, CandleInterval } from "../../lib/api-types";
import { createQueryClient } from "../../lib/query-client";
import { mergeCandle } from "./candles";
import { candlesQuery } from "./use-candles";

function candle(interval: CandleInterval, start: number, close: string): Candle {
  return { interval, start, open: "1", high: close, low: "1", close, baseVolume: "1", quoteVolume: "1", trades: 1 };
}

/** The candles API of one market: its lists as they are now, and how often each interval was read. */
function server() {
  const lists: Record<string, Candle[]> = { "1m": [candle("1m", 0, "10")], "5m": [candle("5m", 0, "10")] };
  const reads: Record<string, number> = { "1m": 0, "5m": 0 };
  return {
    lists,
    reads,
    /** The chart's view of `interval`, in the app's query cache, reading from this server. */
    view(interval: CandleInterval) {
      return {
        ...candlesQuery("WETH-USDC", interval),
        queryFn: async () => {
          reads[interval]! += 1;
          return lists[interval]!;
        },
      };
    },
  };
}

describe("the candles of a market and interval", () => {
  it("are read once when first shown", async () => {
    const api = server();
    const chart = new QueryObserver(createQueryClient(), api.view("1m"));
    const hide = chart.subscribe(() => {});
    await vi.waitFor(() => expect(chart.getCurrentResult().data).toEqual(api.lists["1m"]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.reads["1m"]).toBe(1);
    hide();
  });

  it("are read again when shown again, with the trades made while the stream was not followed", async () => {
    const client = createQueryClient();
    const api = server();
    const chart = new QueryObserver(client, api.view("1m"));
    const hide = chart.subscribe(() => {});
    await vi.waitFor(() => expect(chart.getCurrentResult().data).toEqual(api.lists["1m"]));
    hide(); // another market is shown: this interval's channel is unsubscribed

    api.lists["1m"] = [candle("1m", 0, "12"), candle("1m", 60_000, "13")]; // trades meanwhile

    const again = new QueryObserver(client, api.view("1m"));
    const hideAgain = again.subscribe(() => {});
    await vi.waitFor(() => expect(again.getCurrentResult().data).toEqual(api.lists["1m"]));
    expect(api.reads["1m"]).toBe(2);
    hideAgain();
  });

  it("are read again when the chart switches back to an interval it showed before", async () => {
    const api = server();
    const chart = new QueryObserver(createQueryClient(), api.view("1m"));
    const hide = chart.subscribe(() => {});
    await vi.waitFor(() => expect(chart.getCurrentResult().data).toEqual(api.lists["1m"]));
    chart.setOptions(api.view("5m"));
    await vi.waitFor(() => expect(chart.getCurrentResult().data).toEqual(api.lists["5m"]));

    api.lists["1m"] = [candle("1m", 0, "12")];
    chart.setOptions(api.view("1m"));
    await vi.waitFor(() => expect(chart.getCurrentResult().data).toEqual(api.lists["1m"]));
    expect(api.reads["1m"]).toBe(2);
    hide();
  });

  it("take the stream's candles into the shown list without reading it again", async () => {
    const client = createQueryClient();
    const api = server();
    const view = api.view("1m");
    const chart = new QueryObserver(client, view);
    const hide = chart.subscribe(() => {});
    await vi.waitFor(() => expect(chart.getCurrentResult().data).toEqual(api.lists["1m"]));

    client.setQueryData(view.queryKey, (list) => mergeCandle(list!, candle("1m", 60_000, "11")));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(chart.getCurrentResult().data?.map((c) => [c.start, c.close])).toEqual([[0, "10"], [60_000, "11"]]);
    expect(api.reads["1m"]).toBe(1);
    hide();
  });
});
