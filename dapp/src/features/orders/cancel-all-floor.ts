/**
 * The nonce floor "Cancel all on-chain" raises the wallet's to. `raiseNonceFloor(n)` voids every order with a nonce
 * below `n`, so `n` must be above the highest nonce any of the wallet's orders may carry. The API's next nonce is
 * meant to be that, but a lagging replica or an operator that is not honest can answer too low, and the orders
 * above the floor would stay valid on-chain while the page says they are void. So what the app knows itself counts
 * too: the open orders it shows, and the next nonce of its own counter (every order it put up for signing, one in
 * doubt included, is below that).
 */
import type { Address } from "viem";
import { sameAddress } from "../wallet";
import type { OrderView } from "./account-orders";

/** The floor voiding every order of `wallet`: the highest of `apiNext`, one above each of its `openOrders`' nonces,
 * and `localNext` (null: the app has handed out no nonce). */
export function cancelAllFloor(wallet: Address, apiNext: bigint, openOrders: readonly OrderView[], localNext: bigint | null): bigint {
  let floor = localNext !== null && localNext > apiNext ? localNext : apiNext;
  for (const { order } of openOrders) {
    const above = BigInt(order.nonce) + 1n;
    if (sameAddress(order.maker, wallet) && above > floor) floor = above;
  }
  return floor;
}
