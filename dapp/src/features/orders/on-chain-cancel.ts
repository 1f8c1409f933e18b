/**
 * Cancels on the Exchange contract itself, sent from the wallet, so that they bind the contract even against an
 * operator that is offline or not honest (a signed cancel through the API only takes an order out of HDEX's
 * book; its signature stays valid on-chain until it expires):
 * - "Cancel on-chain": the order as signed goes to `cancelOrders`; the contract refuses every trade of it, and of
 *   any other untraded order with its nonce.
 * - "Cancel all on-chain": `raiseNonceFloor` to the wallet's next nonce (`GET /v1/nonce`, above every nonce of
 *   the orders HDEX holds): the contract refuses every order with a lower nonce.
 * HDEX's book follows once its indexer sees the event (`OrderCancelledByMaker`, `NonceFloorRaised`).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { encodeFunctionData, parseAbi, type Address, type Hex } from "viem";
import { fetchNextNonce } from "../order-form/order-nonces";
import { useWallet } from "../wallet";
import { ordersKey, type OrderView } from "./account-orders";

export const exchangeCancelAbi = parseAbi([
  "struct Order { address maker; address baseToken; address quoteToken; uint8 side; uint128 baseAmount; uint256 limitPrice; uint256 triggerPrice; uint32 maxFeeRate; uint64 nonce; uint64 expiry; uint32 flags; }",
  "function cancelOrders(Order[] orders)",
  "function raiseNonceFloor(uint64 nonceFloor)",
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

/** A mutation that sends one call (its calldata, from `prepare`) from the connected wallet to the Exchange and
 * waits until it is mined. */
function useExchangeCall<V>(prepare: (variables: V, wallet: Address) => Promise<Hex> | Hex) {
  const { address, walletClient, publicClient, network, wrongChain } = useWallet();
  const queryClient = useQueryClient();
  const exchange = (network?.contracts.Exchange ?? null) as Address | null;
  return useMutation({
    mutationFn: async (variables: V): Promise<Hex> => {
      if (!address || !walletClient || !publicClient || !exchange || wrongChain) throw new Error("wallet not ready");
      const data = await prepare(variables, address);
      const hash = await walletClient.sendTransaction({ account: address, chain: walletClient.chain, to: exchange, data });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: RECEIPT_POLL_MS });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return hash;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ordersKey(address) }),
  });
}

/** `cancelOrders([order])` for one open order. */
export function useCancelOnChain() {
  return useExchangeCall((view: OrderView) =>
    encodeFunctionData({ abi: exchangeCancelAbi, functionName: "cancelOrders", args: [[contractOrder(view.order)]] }),
  );
}

/** `raiseNonceFloor(next nonce)`: every order of the wallet HDEX holds, and any older one, is void on-chain. */
export function useCancelAllOnChain() {
  return useExchangeCall(async (_: void, wallet: Address) =>
    encodeFunctionData({ abi: exchangeCancelAbi, functionName: "raiseNonceFloor", args: [await fetchNextNonce(wallet)] }),
  );
}
