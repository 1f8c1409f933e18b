/**
 * Signed cancels (backend/trading/cancels.py): one order signs `Cancel(maker, orderHash)` and goes to
 * `DELETE /v1/orders/{hash}`; "Cancel all" signs `Cancel(maker, scope)` with
 * `scope = keccak256("HDEX cancel-all|<market or *>|<timestamp ms>")` and goes to
 * `POST /v1/orders/cancel`, the timestamp taken from the server's clock (it must be within 60 s of it).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Hex } from "viem";
import { api } from "../../lib/api-client";
import { signTyped, useCurrentEip712 } from "../../lib/signing";
import { useWallet } from "../wallet";
import { ordersKey } from "./account-orders";
import { bulkCancelBody, bulkCancelScope, type BulkCancelAnswer } from "./bulk-cancel";

/** The signer of cancels: the connected wallet on the exchange's chain, with the signing forms. */
function useCancelSigner() {
  const { address, walletClient, wrongChain } = useWallet();
  const currentEip712 = useCurrentEip712();
  return async (orderHash: Hex) => {
    if (!address || !walletClient || wrongChain) throw new Error("wallet not ready");
    const eip712 = await currentEip712();
    return { maker: address, signature: await signTyped(walletClient, address, eip712, "Cancel", { maker: address, orderHash }) };
  };
}

/** Cancel one open order of the connected wallet. */
export function useCancelOrder() {
  const queryClient = useQueryClient();
  const { address } = useWallet();
  const sign = useCancelSigner();
  return useMutation({
    mutationFn: async (orderHash: Hex) => {
      const { signature } = await sign(orderHash);
      return api.delete(`/v1/orders/${orderHash}`, { signature });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ordersKey(address) }),
  });
}

/** Cancel every open order of the connected wallet, in every market. */
export function useCancelAll() {
  const queryClient = useQueryClient();
  const { address } = useWallet();
  const sign = useCancelSigner();
  return useMutation({
    mutationFn: async () => {
      const { serverTime } = await api.get<{ serverTime: number }>("/v1/time");
      const timestamp = BigInt(serverTime);
      const { maker, signature } = await sign(bulkCancelScope(null, timestamp));
      return api.post<BulkCancelAnswer>("/v1/orders/cancel", bulkCancelBody(maker, null, timestamp, signature));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ordersKey(address) }),
  });
}
