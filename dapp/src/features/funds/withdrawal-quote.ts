/**
 * What a withdrawal of the typed amount would meet, valued by the server in its reference token as the tier
 * limits value it (`GET /v1/withdrawals/quote`): the minimum withdrawal (each one costs the exchange a
 * transaction) and the travel-rule threshold.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { api } from "../../lib/api-client";

export interface WithdrawalQuote {
  reference: { symbol: string; token: Address; decimals: number };
  value: string | null;
  minimum: string;
  belowMinimum: boolean;
  travelRuleThreshold: string;
  travelRuleRequired: boolean;
}

/** The quote for withdrawing `amount` of `token` (nothing is asked while no valid amount is typed). */
export function useWithdrawalQuote(token: string | null, amount: bigint | null) {
  return useQuery({
    queryKey: ["withdrawal-quote", token?.toLowerCase() ?? null, amount?.toString() ?? null],
    enabled: token !== null && amount !== null && amount > 0n,
    queryFn: () => api.get<WithdrawalQuote>("/v1/withdrawals/quote", { query: { token, amount: amount?.toString() } }),
    placeholderData: keepPreviousData, // the fields do not flicker away while the next amount is valued
    staleTime: 30_000,
  });
}
