/** Waiting until a transaction the wallet sent is mined, and telling a revert apart. */
import type { Hex, PublicClient } from "viem";

/** Receipts are polled faster than viem's 4 s default: a person is waiting for the page to change. */
const RECEIPT_POLL_MS = 1_000;

/** The transaction was mined but reverted: nothing it asked for happened. */
export class TransactionReverted extends Error {
  constructor(readonly txHash: Hex) {
    super(`transaction ${txHash} reverted`);
  }
}

/** Resolves once `hash` is mined and succeeded; TransactionReverted if it reverted. */
export async function mined(publicClient: PublicClient, hash: Hex): Promise<void> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: RECEIPT_POLL_MS });
  if (receipt.status !== "success") throw new TransactionReverted(hash);
}
