/** What a bulk cancel signs and sends (backend/trading/cancels.py `bulk_cancel_scope`). */
import { keccak256, stringToBytes, type Address, type Hex } from "viem";

/** The 32 bytes a bulk cancel signs in place of an order hash. */
export function bulkCancelScope(market: string | null, timestampMs: bigint): Hex {
  return keccak256(stringToBytes(`HDEX cancel-all|${market ?? "*"}|${timestampMs}`));
}

/** `POST /v1/orders/cancel` body: the timestamp exactly as signed, in decimal. */
export function bulkCancelBody(maker: Address, market: string | null, timestampMs: bigint, signature: Hex) {
  return { maker, market, timestamp: timestampMs.toString(), signature };
}
