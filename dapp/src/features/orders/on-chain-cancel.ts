/**
 * Cancel on-chain: the order as signed goes to the Exchange's `cancelOrders`, sent from the wallet itself, so
 * that the contract refuses every trade of it (and of any other order with its nonce) even against an operator
 * that is offline or not honest. A signed cancel through the API only takes the order out of HDEX's book; this
 * binds the contract. HDEX's book follows once its indexer sees the `OrderCancelledByMaker` event.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { parseAbi, type Address } from "viem";
import { useWallet } from "../wallet";
import { ordersKey, type OrderView } from "./account-orders";

export const cancelOrdersAbi = parseAbi([
  "struct Order { address maker; address baseToken; address quoteToken; uint8 side; uint128 baseAmount; uint256 limitPrice; uint256 triggerPrice; uint32 maxFeeRate; uint64 nonce; uint64 expiry; uint32 flags; }",
  "function cancelOrders(Order[] orders)",
]);

/** Receipts are polled faster than viem's 4 s default: a person is waiting for the button to change. */
const RECEIPT_POLL_MS = 1_000;

/** The order exactly as its maker signed it, in the contract's types (the API sends numbers as decimal strings). */
export function contractOrder(order: OrderView["order"]) {
  return {
    maker: order.maker,
    baseToken: order.baseToken,
    quoteToken: order.quoteToken,
    side: Number(order.side),
    baseAmount: BigInt(order.baseAmount),
    limitPrice: BigInt(order.limitPrice),
    triggerPrice: BigInt(order.triggerPrice),
    maxFeeRate: Number(order.maxFeeRate),
    nonce: BigInt(order.nonce),
    expiry: BigInt(order.expiry),
    flags: Number(order.flags),
  };
}

/** Send `cancelOrders([order])` from the connected wallet and wait until it is mined. */
export function useCancelOnChain() {
  const { address, walletClient, publicClient, network, wrongChain } = useWallet();
  const queryClient = useQueryClient();
  const exchange = (network?.contracts.Exchange ?? null) as Address | null;
  return useMutation({
    mutationFn: async (view: OrderView) => {
      if (!address || !walletClient || !publicClient || !exchange || wrongChain) throw new Error("wallet not ready");
      const hash = await walletClient.writeContract({
        account: address,
        chain: walletClient.chain,
        address: exchange,
        abi: cancelOrdersAbi,
        functionName: "cancelOrders",
        args: [[contractOrder(view.order)]],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: RECEIPT_POLL_MS });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return hash;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ordersKey(address) }),
  });
}
