import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { StreamListener } from "../../lib/stream-client";
import { DEV_MARKET, MAKER } from "../order-form/test-fixtures";
import { ordersKey, useOpenOrders, useOrderHistory } from "./account-orders";

// The account channel, as the hooks subscribe to it: each listener is kept so a test can deliver a message.
const { listeners } = vi.hoisted(() => ({ listeners: [] as StreamListener[] }));
vi.mock("../../lib/use-stream", () => ({
  useStream: (params: unknown, onMessage: StreamListener) => {
    if (params) listeners.push(onMessage);
  },
  useOnResync: () => {},
}));
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, MAKER),
);

function OrdersInUse() {
  useOpenOrders(DEV_MARKET); // the chart's order lines
  useOrderHistory(MAKER);
  return null;
}

/** The query client after the hooks were rendered with answers cached, and `message` arrived on the account channel. */
function afterMessage(message: Record<string, unknown>): QueryClient {
  listeners.length = 0;
  const client = new QueryClient();
  client.setQueryData([...ordersKey(MAKER), "open"], []);
  client.setQueryData([...ordersKey(MAKER), "closed"], { pages: [], pageParams: [] });
  renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <OrdersInUse />
    </QueryClientProvider>,
  );
  for (const listener of listeners) listener({ channel: "account", ...message });
  return client;
}

const invalidated = (client: QueryClient, status: "open" | "closed") =>
  client.getQueryState([...ordersKey(MAKER), status])?.isInvalidated ?? false;

describe("the wallet's orders", () => {
  it("are read again after a partial fill, which the server announces only as a fill (open orders, history, chart lines)", () => {
    const client = afterMessage({ type: "fill", id: "7", liquidity: "maker", market: "WETH-USDC" });
    expect(invalidated(client, "open")).toBe(true);
    expect(invalidated(client, "closed")).toBe(true);
  });

  it("are read again when an order is placed or closed", () => {
    expect(invalidated(afterMessage({ type: "order", event: "open" }), "open")).toBe(true);
  });

  it("are not read again for a balance move", () => {
    const client = afterMessage({ type: "balance", token: "0x1", total: "1" });
    expect(invalidated(client, "open")).toBe(false);
    expect(invalidated(client, "closed")).toBe(false);
  });
});
