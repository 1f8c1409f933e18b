/**
 * A signed withdrawal (`POST /v1/withdrawals`), as `backend/client/core.py` builds it: the wallet
 * takes `amount` out of its vault balance to itself, and signs `maxFee`, the operator's fee at the
 * current withdrawal fee rate (`GET /v1/accounts/{a}/fees`), never more.
 */

import type { Address, Hex } from "viem";
import type { MessageKey } from "../../i18n";

/** Seconds the operator has to relay a withdrawal; the API wants more than 60. */
export const WITHDRAWAL_LIFETIME_S = 24n * 3600n;
const FEE_RATE_SCALE = 1_000_000n;

/** `Withdrawal` exactly as `eth_signTypedData_v4` hashes it. */
export interface WithdrawalMessage {
  wallet: Address;
  token: Address;
  amount: bigint;
  maxFee: bigint;
  recipient: Address;
  nonce: bigint;
  expiry: bigint;
}

/** The operator's fee on `amount` at `rate` millionths, rounded down (backend `withdrawal_fee`). */
export function withdrawalFee(amount: bigint, rate: number): bigint {
  const fee = (amount * BigInt(rate)) / FEE_RATE_SCALE;
  return fee < amount ? fee : amount;
}

export function withdrawalMessage(
  wallet: Address,
  token: Address,
  amount: bigint,
  feeRate: number,
  nonce: bigint,
  expiry: bigint,
): WithdrawalMessage {
  return { wallet, token, amount, maxFee: withdrawalFee(amount, feeRate), recipient: wallet, nonce, expiry };
}

/** The `POST /v1/withdrawals` body: every number as a decimal string; travel-rule data (unsigned) beside
 * the signed withdrawal when given. */
export function withdrawalBody(
  message: WithdrawalMessage,
  signature: string,
  travelRule?: Record<string, unknown>,
): Record<string, unknown> {
  const wire = Object.fromEntries(Object.entries(message).map(([name, value]) => [name, String(value)]));
  return travelRule ? { withdrawal: wire, signature, travelRule } : { withdrawal: wire, signature };
}

/** A withdrawal as signed: its EIP-712 hash (its id at the API), its `POST /v1/withdrawals` body and the expiry it
 * carries. */
export interface SignedWithdrawal {
  hash: Hex;
  body: Record<string, unknown>;
  /** Unix seconds. */
  expiry: bigint;
}

export type WithdrawalStage = "accepted" | "relaying" | "relayed" | "completed" | "failed";

/** A withdrawal request as the API shows it (`GET /v1/withdrawals/{hash}`). */
export interface WithdrawalView {
  hash: Hex;
  status: WithdrawalStage;
  txHash: Hex | null;
  failure: string | null;
}

/** Failures about the destination (backend/statuses.py, which the account e-mail sorts by too): the zero address
 * or the Exchange, ether it refused before, more gas than the operator pays. */
const RECIPIENT_FAILURES = new Set(["invalid_recipient", "recipient_reverted", "recipient_gas"]);

/** The words for a failed withdrawal's `failure`, the relayer's record of why (`blocked_by_screening:wallet`,
 * `recipient_gas: ...`, a transaction's error): a person is told what happened and that the amount is free again,
 * never shown the code. */
export function withdrawalFailureKey(failure: string | null): MessageKey {
  const code = /^[a-z_]+/.exec(failure ?? "")?.[0] ?? "";
  if (code === "blocked_by_screening") return "funds.failure.screening";
  return RECIPIENT_FAILURES.has(code) ? "funds.failure.recipient" : "funds.failure.other";
}
