/** Waiting until a transaction the wallet sent is mined, and telling a revert apart from a wait that ran out. */
import type { Hex, PublicClient } from "viem";

/** Receipts are polled faster than viem's 4 s default: a person is waiting for the page to change. */
const RECEIPT_POLL_MS = 1_000;
/** How long a receipt is waited for. viem's default (3 min) is shorter than a busy chain may keep a transaction
 * waiting, and a wait that ends must not read as a failure of a transaction that is still to be mined. */
export const RECEIPT_TIMEOUT_MS = 15 * 60_000;

/** The transaction was mined but reverted: nothing it asked for happened. */
export class TransactionReverted extends Error {
  constructor(readonly txHash: Hex) {
    super(`transaction ${txHash} reverted`);
  }
}

/** The transaction was sent but no receipt was seen (the wait ran out, or the node could not be read): it may still
 * be mined, so it is pending, never failed, and sending it again could do it twice. */
export class StillPending extends Error {
  constructor(
    readonly txHash: Hex,
    options?: ErrorOptions,
  ) {
    super(`transaction ${txHash} is not mined yet`, options);
  }
}

/** Resolves once `hash` is mined and succeeded; TransactionReverted if it reverted, StillPending if no receipt came. */
export async function mined(publicClient: PublicClient, hash: Hex): Promise<void> {
  let status: "success" | "reverted";
  try {
    ({ status } = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: RECEIPT_POLL_MS, timeout: RECEIPT_TIMEOUT_MS }));
  } catch (error) {
    throw new StillPending(hash, { cause: error });
  }
  if (status !== "success") throw new TransactionReverted(hash);
}
