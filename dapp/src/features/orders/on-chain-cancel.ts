/**
 * Cancels on the Exchange contract itself, sent from the wallet, so that they bind the contract even against an
 * operator that later goes offline or turns dishonest (a signed cancel through the API only takes an order out
 * of HDEX's book; its signature stays valid on-chain until it expires):
 * - "Cancel on-chain": the order as signed goes to `cancelOrders`; the contract refuses every trade of it, and of
 *   any other untraded order with its nonce.
 * - "Cancel all on-chain": `raiseNonceFloor` above every nonce the wallet's orders may carry: the wallet's next nonce
 *   (`GET /v1/nonce`), every open order the app shows and every nonce the app handed out for signing, whichever is
 *   highest (./cancel-all-floor); the contract refuses every order with a lower nonce.
 * HDEX's book follows once its indexer sees the event (`OrderCancelledByMaker`, `NonceFloorRaised`).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { encodeFunctionData, type Address, type Hex, type PublicClient } from "viem";
import type { MessageKey } from "../../i18n";
import { errorText } from "../../lib/errors";
import { exchangeAbi } from "../../lib/exchange-abi";
import { fetchNextNonce, orderNonces } from "../order-form/order-nonces";
import { mined, TransactionReverted, useWallet } from "../wallet";
import { ordersKey, type OrderView } from "./account-orders";
import { cancelAllFloor } from "./cancel-all-floor";

/** Where a sent cancel is: waiting for the user in the wallet, or sent and waiting to be mined. */
export type OnChainPhase = "wallet" | "mining";

/** The wallet's orders are void on-chain already: its floor is at or above the next nonce (nothing to send). */
export class AlreadyVoidedOnChain extends Error {
  constructor(readonly floor: bigint) {
    super(`every order below nonce ${floor} is void on-chain already`);
  }
}

/** An on-chain cancel's failure in words. */
export function onChainErrorText(error: Error, t: (key: MessageKey) => string): string {
  if (error instanceof AlreadyVoidedOnChain) return t("account.alreadyVoidedOnChain");
  if (error instanceof TransactionReverted) return t("account.onChainReverted");
  return errorText(error, t);
}

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

/** The calldata of `raiseNonceFloor(next)`, or AlreadyVoidedOnChain when the floor is not below `next`. */
export function raiseFloorCall(next: bigint, floor: bigint): Hex {
  if (next <= floor) throw new AlreadyVoidedOnChain(floor);
  return encodeFunctionData({ abi: exchangeAbi, functionName: "raiseNonceFloor", args: [next] });
}

interface CallContext {
  wallet: Address;
  exchange: Address;
  publicClient: PublicClient;
}

/** A mutation that sends one call (its calldata, from `prepare`) from the connected wallet to the Exchange and
 * waits until it is mined, with the phase it is in. */
function useExchangeCall<V>(prepare: (variables: V, context: CallContext) => Promise<Hex> | Hex) {
  const { address, walletClient, publicClient, network, wrongChain } = useWallet();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<OnChainPhase | null>(null);
  const exchange = (network?.contracts.Exchange ?? null) as Address | null;
  const mutation = useMutation({
    mutationFn: async (variables: V): Promise<Hex> => {
      if (!address || !walletClient || !publicClient || !exchange || wrongChain) throw new Error("wallet not ready");
      try {
        const data = await prepare(variables, { wallet: address, exchange, publicClient });
        setPhase("wallet");
        const hash = await walletClient.sendTransaction({ account: address, chain: walletClient.chain, to: exchange, data });
        setPhase("mining");
        await mined(publicClient, hash);
        return hash;
      } finally {
        setPhase(null);
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ordersKey(address) }),
  });
  return { mutation, phase };
}

/** `cancelOrders([order])` for one open order. */
export function useCancelOnChain() {
  return useExchangeCall((view: OrderView) =>
    encodeFunctionData({ abi: exchangeAbi, functionName: "cancelOrders", args: [[contractOrder(view.order)]] }),
  );
}

/** `raiseNonceFloor` above every nonce of the wallet's orders (the `openOrders` shown, whatever HDEX says, whatever
 * this app signed): each of them, and any older one, is void on-chain. Not sent when the floor is there already (the
 * contract would revert): a second click before HDEX has caught up. */
export function useCancelAllOnChain() {
  return useExchangeCall(async (openOrders: readonly OrderView[], { wallet, exchange, publicClient }: CallContext) => {
    const [next, [floor]] = await Promise.all([
      fetchNextNonce(wallet),
      publicClient.readContract({ address: exchange, abi: exchangeAbi, functionName: "walletState", args: [wallet] }),
    ]);
    return raiseFloorCall(cancelAllFloor(wallet, next, openOrders, orderNonces(wallet).peek()), floor);
  });
}
