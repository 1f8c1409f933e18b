/**
 * The EIP-712 Order as the wallet signs it and the `POST /v1/orders` body that carries it.
 *
 * Mirrors `backend/client/core.py` (`Signer.order_body`): the message holds every field of
 * `Order(...)` in IExchange.sol; the body repeats it with every number as a decimal string.
 */

import type { Address } from "viem";
import type { Market } from "../../lib/api-types";
import type { CheckedOrder } from "./rules";

/** Seconds an order stays valid. The contract re-checks expiry when the fill settles, so even an
 * IOC order needs room for the relayer; a resting GTC order lives this long unless cancelled. */
export const ORDER_LIFETIME_S = 30n * 24n * 3600n;

/** `Order` exactly as `eth_signTypedData_v4` hashes it (viem: uint8/uint32 as number, wider as bigint). */
export interface OrderMessage {
  maker: Address;
  baseToken: Address;
  quoteToken: Address;
  side: number;
  baseAmount: bigint;
  limitPrice: bigint;
  triggerPrice: bigint;
  maxFeeRate: number;
  nonce: bigint;
  expiry: bigint;
  flags: number;
}

export function orderMessage(
  maker: Address,
  market: Pick<Market, "baseToken" | "quoteToken">,
  order: CheckedOrder,
  nonce: bigint,
  expiry: bigint,
): OrderMessage {
  return {
    maker,
    baseToken: market.baseToken.address,
    quoteToken: market.quoteToken.address,
    side: order.side === "buy" ? 0 : 1,
    baseAmount: order.baseAmount,
    limitPrice: order.limitPrice,
    triggerPrice: order.triggerPrice,
    maxFeeRate: order.maxFeeRate,
    nonce,
    expiry,
    flags: order.flags,
  };
}

/** The `POST /v1/orders` body. A post-only order sends no time in force: the flag decides. */
export function orderBody(
  message: OrderMessage,
  signature: string,
  order: Pick<CheckedOrder, "timeInForce" | "postOnly">,
): Record<string, unknown> {
  const wire = Object.fromEntries(
    Object.entries(message).map(([name, value]) => [name, typeof value === "string" ? value : String(value)]),
  );
  return order.postOnly ? { order: wire, signature } : { order: wire, signature, timeInForce: order.timeInForce };
}
