/**
 * The wallet's orders and fills (`GET /v1/accounts/{address}/orders` and `/fills`, newest first, paged
 * by cursor), refetched when the account channel says an order or a fill changed.
 */
import { useInfiniteQuery, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Address, Hex } from "viem";
import { api } from "../../lib/api-client";
import type { Market, Side } from "../../lib/api-types";
import { useOnResync, useStream } from "../../lib/use-stream";
import { useWallet } from "../wallet";

/** An order as the API shows it (REST and the account channel's `order` message). */
export interface OrderView {
  hash: Hex;
  event: string;
  clientOrderId: string | null;
  market: string;
  side: Side;
  status: "open" | "filled" | "cancelled" | "expired";
  reason: string | null;
  /** Base units filled so far. */
  filled: string;
  /** Base units still on the book (0 once not open). */
  remaining: string;
  timeInForce: "GTC" | "IOC" | "FOK" | "POST_ONLY";
  createdAt: number;
  updatedAt: number;
  /** The signed order; every number a decimal string. */
  order: {
    maker: Address;
    baseToken: Address;
    quoteToken: Address;
    side: "0" | "1";
    baseAmount: string;
    limitPrice: string;
    triggerPrice: string;
    maxFeeRate: string;
    nonce: string;
    expiry: string;
    flags: string;
  };
}

/** A fill as this wallet saw it. */
export interface AccountFill {
  id: string;
  market: string;
  price: string;
  baseAmount: string;
  quoteAmount: string;
  side: Side;
  liquidity: "maker" | "taker";
  fee: string;
  feeTokenSymbol: string;
  feeTokenDecimals: number;
  status: "unsettled" | "settling" | "settled" | "failed";
  failureReason: string | null;
  time: number;
}

/** One line per open order of a market, for the chart (A draws them). */
export interface OpenOrderLine {
  hash: string;
  side: Side;
  /** limitPrice units (decimal string), as in the order. */
  price: string;
  /** Base units still on the book (decimal string). */
  remaining: string;
}

const PAGE = 100;
const OPEN_ORDERS_SHOWN = 500; // the API's largest page

export function ordersKey(address: Address | null) {
  return ["account", address, "orders"] as const;
}

function fillsKey(address: Address | null) {
  return ["account", address, "fills"] as const;
}

/** The account-channel messages that change the wallet's orders: the server sends `order` only when one is placed
 * or closed, and a partial fill (which moves `filled` and `remaining`) only as `fill`. */
const ORDER_CHANGES = ["order", "fill"] as const;

/** Refetch `key` whenever the account channel sends one of `types`, and after a reconnect. */
function useRefreshOn(address: Address | null, types: readonly string[], key: readonly unknown[]): void {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  useStream(address ? { channel: "account", address } : null, (message) => {
    if (types.includes(String(message.type))) refresh();
  });
  useOnResync(refresh);
}

/** The open orders of the wallet in all markets, newest first (the first 500: a person placing more
 * uses the API, and "Cancel all" still cancels every one). */
export function useAccountOpenOrders(address: Address | null) {
  const key = [...ordersKey(address), "open"];
  useRefreshOn(address, ORDER_CHANGES, ordersKey(address));
  return useQuery({
    queryKey: key,
    enabled: address !== null,
    queryFn: async () =>
      (await api.get<{ orders: OrderView[] }>(`/v1/accounts/${address}/orders`, { query: { status: "open", limit: OPEN_ORDERS_SHOWN } }))
        .orders,
  });
}

/** An open order of the wallet as last read (`useAccountOpenOrders`), if it was read. */
export function cachedOpenOrder(queryClient: QueryClient, address: Address, hash: string): OrderView | undefined {
  const orders = queryClient.getQueryData<OrderView[]>([...ordersKey(address), "open"]);
  return orders?.find((order) => order.hash.toLowerCase() === hash.toLowerCase());
}

/** The wallet's finished orders, a page at a time. */
export function useOrderHistory(address: Address | null) {
  useRefreshOn(address, ORDER_CHANGES, ordersKey(address));
  return useInfiniteQuery({
    queryKey: [...ordersKey(address), "closed"],
    enabled: address !== null,
    initialPageParam: null as string | null,
    getNextPageParam: (page: { next: string | null }) => page.next,
    queryFn: ({ pageParam }) =>
      api.get<{ orders: OrderView[]; next: string | null }>(`/v1/accounts/${address}/orders`, {
        query: { status: "closed", limit: PAGE, cursor: pageParam },
      }),
  });
}

/** How often fills still on their way to the chain are read again, in case a message was lost. */
const UNSETTLED_REFRESH_MS = 5_000;
const UNSETTLED = new Set(["unsettled", "settling"]);

interface FillsPage {
  fills: AccountFill[];
  next: string | null;
}

/** The wallet's fills, a page at a time; a fill's settlement status changes with `settlement` messages,
 * and while one is still unsettled the list is also read again on a timer (a lost message must not
 * leave it "settling" forever). */
export function useFills(address: Address | null) {
  useRefreshOn(address, ["fill", "settlement"], fillsKey(address));
  return useInfiniteQuery({
    queryKey: fillsKey(address),
    enabled: address !== null,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.fills.some((fill) => UNSETTLED.has(fill.status)))
        ? UNSETTLED_REFRESH_MS
        : false,
    initialPageParam: null as string | null,
    getNextPageParam: (page: FillsPage) => page.next,
    queryFn: ({ pageParam }) =>
      api.get<FillsPage>(`/v1/accounts/${address}/fills`, {
        query: { limit: PAGE, cursor: pageParam },
      }),
  });
}

/** The connected wallet's open orders in `market`, as chart price lines (a stable array). */
export function useOpenOrders(market: Market | null): OpenOrderLine[] {
  const { address } = useWallet();
  const { data } = useAccountOpenOrders(address);
  const name = market?.name;
  return useMemo(
    () =>
      (data ?? [])
        .filter((order) => order.market === name)
        .map((order) => ({ hash: order.hash, side: order.side, price: order.order.limitPrice, remaining: order.remaining })),
    [data, name],
  );
}
