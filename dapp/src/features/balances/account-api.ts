/**
 * The wallet's money as the exchange sees it (`GET /v1/accounts/{address}/balances` and `/fees`), kept
 * fresh by the account channel: every `balance` message (a hold, a fill, a credit), every `withdrawal` step and
 * every deposit or escape-hatch withdrawal the indexer made final refetches the balances.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Address } from "viem";
import { api } from "../../lib/api-client";
import type { Market } from "../../lib/api-types";
import { useOnResync, useStream } from "../../lib/use-stream";

/** One token of `GET /v1/accounts/{address}/balances`; amounts are base units as decimal strings. */
export interface BalanceRow {
  token: Address;
  symbol: string | null;
  decimals: number | null;
  /** The ledger: deposits final on-chain, settled trades, completed withdrawals. */
  balance: string;
  /** Held by open orders and unsettled fills. */
  reserved: string;
  /** balance - pendingWithdrawals - frozen - reserved: what an order or a withdrawal can use. */
  available: string;
  frozen: string;
  pendingDeposits: string;
  pendingWithdrawals: string;
}

export interface AccountFees {
  feeRateScale: number;
  maxFeeRate: number;
  markets: { market: string; makerFeeRate: number; takerFeeRate: number }[];
  /** Millionths of a withdrawal's amount, in the withdrawn token. */
  withdrawalFeeRate: number;
}

// "deposit" and "exit": a credit or an escape-hatch withdrawal the indexer made final, told also to wallets the
// engine follows no balances of (never traded), and never announced by the engine (it does not book them)
const REFRESHING_MESSAGES = new Set(["balance", "withdrawal", "settlement", "deposit", "exit"]);

/** Whether an account-channel message means the wallet's exchange balances moved (read them again). */
export function movesBalances(message: Record<string, unknown>): boolean {
  return REFRESHING_MESSAGES.has(String(message.type));
}

export function balancesKey(address: Address | null) {
  return ["account", address, "balances"] as const;
}

/** token address (lowercase) -> its balance row; empty until loaded or when not connected. */
export function useExchangeBalances(address: Address | null) {
  const queryClient = useQueryClient();
  const key = balancesKey(address);
  const query = useQuery({
    queryKey: key,
    enabled: address !== null,
    queryFn: async () => {
      const body = await api.get<{ balances: BalanceRow[] }>(`/v1/accounts/${address}/balances`);
      return new Map(body.balances.map((row) => [row.token.toLowerCase(), row]));
    },
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  useStream(address ? { channel: "account", address } : null, (message) => {
    if (movesBalances(message)) refresh();
  });
  useOnResync(refresh);
  return query;
}

/** The exchange `available` of `token` (base units), or null while unknown. */
export function availableOf(balances: Map<string, BalanceRow> | undefined, token: string): bigint | null {
  if (!balances) return null;
  return BigInt(balances.get(token.toLowerCase())?.available ?? "0");
}

/** This wallet's fee rates; the market's own rates until they are known (or when not connected). */
export function useAccountFees(address: Address | null) {
  return useQuery({
    queryKey: ["account", address, "fees"],
    enabled: address !== null,
    queryFn: () => api.get<AccountFees>(`/v1/accounts/${address}/fees`),
    staleTime: 60_000,
  });
}

export function feeRatesFor(market: Market, fees: AccountFees | undefined): Pick<Market, "makerFeeRate" | "takerFeeRate"> {
  return fees?.markets.find((entry) => entry.market === market.name) ?? market;
}
