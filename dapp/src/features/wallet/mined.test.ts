import { WaitForTransactionReceiptTimeoutError, type Hex, type PublicClient } from "viem";
import { describe, expect, it, vi } from "vitest";
import { mined, RECEIPT_TIMEOUT_MS, StillPending, TransactionReverted } from "./mined";

const HASH: Hex = `0x${"ab".repeat(32)}`;

function chainAnswering(wait: () => Promise<{ status: string }>) {
  const waitForTransactionReceipt = vi.fn(wait);
  return { client: { waitForTransactionReceipt } as unknown as PublicClient, waitForTransactionReceipt };
}

describe("waiting for a transaction to be mined", () => {
  it("waits a quarter of an hour for the receipt, not viem's three minutes", async () => {
    const { client, waitForTransactionReceipt } = chainAnswering(async () => ({ status: "success" }));
    await mined(client, HASH);
    expect(RECEIPT_TIMEOUT_MS).toBeGreaterThanOrEqual(15 * 60_000);
    expect(waitForTransactionReceipt).toHaveBeenCalledWith(expect.objectContaining({ hash: HASH, timeout: RECEIPT_TIMEOUT_MS }));
  });

  it("tells a wait that ran out as still pending, with the transaction, never as a failure", async () => {
    const { client } = chainAnswering(() => Promise.reject(new WaitForTransactionReceiptTimeoutError({ hash: HASH })));
    const outcome = await mined(client, HASH).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(StillPending);
    expect((outcome as StillPending).txHash).toBe(HASH);
  });

  it("tells a node that cannot be read as still pending too: the transaction was sent", async () => {
    const { client } = chainAnswering(() => Promise.reject(new Error("fetch failed")));
    await expect(mined(client, HASH)).rejects.toBeInstanceOf(StillPending);
  });

  it("tells a reverted transaction as reverted", async () => {
    const { client } = chainAnswering(async () => ({ status: "reverted" }));
    await expect(mined(client, HASH)).rejects.toBeInstanceOf(TransactionReverted);
  });
});
