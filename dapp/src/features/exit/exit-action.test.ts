import { MutationObserver, QueryClient } from "@tanstack/react-query";
import type { Address, Hex, PublicClient, WalletClient } from "viem";
import { describe, expect, it, vi } from "vitest";
import { TransactionReverted } from "../wallet/mined";
import { exitActionMutation } from "./exit-contract";

const WALLET: Address = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const EXCHANGE: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const WETH: Address = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const HASH: Hex = `0x${"ab".repeat(32)}`;

function wallet(mined: () => Promise<{ status: "success" | "reverted" }>) {
  const writeContract = vi.fn(async () => HASH);
  return {
    writeContract,
    wallet: {
      address: WALLET,
      walletClient: { writeContract, chain: undefined } as unknown as WalletClient,
      publicClient: { waitForTransactionReceipt: vi.fn(mined) } as unknown as PublicClient,
    },
  };
}

describe("an escape-hatch transaction", () => {
  it("is sent from the wallet to the Exchange and resolves once mined; the exit state and wallet balances are read again", async () => {
    const client = new QueryClient();
    const invalidated = vi.spyOn(client, "invalidateQueries");
    const { writeContract, wallet: sender } = wallet(async () => ({ status: "success" }));

    const claim = new MutationObserver(client, exitActionMutation(client, sender, EXCHANGE));
    await expect(claim.mutate({ kind: "withdraw", token: WETH })).resolves.toBe(HASH);

    expect(writeContract).toHaveBeenCalledTimes(1);
    expect(writeContract).toHaveBeenCalledWith(expect.objectContaining({ functionName: "withdrawExited", args: [WETH], address: EXCHANGE }));
    expect(invalidated.mock.calls.map(([filters]) => filters?.queryKey)).toEqual([["exit", WALLET], ["wallet-balances"]]);
  });

  it("fails when the transaction reverted, and still reads the exit state again", async () => {
    const client = new QueryClient();
    const invalidated = vi.spyOn(client, "invalidateQueries");
    const { wallet: sender } = wallet(async () => ({ status: "reverted" }));

    const request = new MutationObserver(client, exitActionMutation(client, sender, EXCHANGE));
    await expect(request.mutate({ kind: "request" })).rejects.toThrow(TransactionReverted);

    expect(invalidated.mock.calls.map(([filters]) => filters?.queryKey)).toContainEqual(["exit", WALLET]);
  });
});
