import { MutationObserver, QueryClient } from "@tanstack/react-query";
import type { Address, Hex, PublicClient, WalletClient } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { balancesKey, type BalanceRow } from "../balances";
import { exitActionMutation } from "./exit-contract";

const WALLET: Address = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const EXCHANGE: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const WETH: Address = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const HASH: Hex = `0x${"ab".repeat(32)}`;

/** The balances answer of `GET /v1/accounts/{address}/balances` with `balance` base units of WETH. */
const balances = (balance: string) => ({
  address: WALLET,
  balances: [{ token: WETH, symbol: "WETH", decimals: 18, balance, reserved: "0", available: balance, frozen: "0", pendingDeposits: "0", pendingWithdrawals: "0" }],
});

afterEach(() => vi.unstubAllGlobals());

describe("an exit withdrawal from the contract", () => {
  it("reads the exchange's balances again until the ledger has booked it, so the page stops showing the money there", async () => {
    // The ledger books it a few blocks after it is mined (HDEX_CONFIRMATIONS): two reads still see the token, then none.
    const answers = [balances("2000000000000000000"), balances("2000000000000000000"), balances("0")];
    const sent: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      sent.push(url);
      return new Response(JSON.stringify(answers.shift() ?? balances("0")), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    const client = new QueryClient();
    // The funds panel's balances query (useExchangeBalances), as it stands when the claim is sent.
    const queryFn = async () => {
      const response = await fetch(`/v1/accounts/${WALLET}/balances`);
      const body = (await response.json()) as { balances: BalanceRow[] };
      return new Map(body.balances.map((row) => [row.token.toLowerCase(), row]));
    };
    await client.fetchQuery({ queryKey: balancesKey(WALLET), queryFn });
    expect(client.getQueryData<Map<string, BalanceRow>>(balancesKey(WALLET))?.get(WETH.toLowerCase())?.balance).toBe("2000000000000000000");

    const writeContract = vi.fn(async () => HASH);
    const waitForTransactionReceipt = vi.fn(async () => ({ status: "success" as const }));
    const wallet = {
      address: WALLET,
      walletClient: { writeContract, chain: undefined } as unknown as WalletClient,
      publicClient: { waitForTransactionReceipt } as unknown as PublicClient,
    };
    const claim = new MutationObserver(client, exitActionMutation(client, wallet, EXCHANGE, { pollMs: 1, forMs: 5_000 }));
    await expect(claim.mutate({ kind: "withdraw", token: WETH })).resolves.toBe(HASH);
    expect(writeContract).toHaveBeenCalledWith(expect.objectContaining({ functionName: "withdrawExited", args: [WETH], address: EXCHANGE }));

    await vi.waitFor(() => expect(client.getQueryData<Map<string, BalanceRow>>(balancesKey(WALLET))?.get(WETH.toLowerCase())?.balance).toBe("0"));
    expect(sent).toHaveLength(3); // stops once the ledger has it
  });

  it("does not read the exchange's balances again for a request or a cancel of the exit", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const client = new QueryClient();
    const wallet = {
      address: WALLET,
      walletClient: { writeContract: async () => HASH, chain: undefined } as unknown as WalletClient,
      publicClient: { waitForTransactionReceipt: async () => ({ status: "success" }) } as unknown as PublicClient,
    };
    await new MutationObserver(client, exitActionMutation(client, wallet, EXCHANGE, { pollMs: 1, forMs: 50 })).mutate({ kind: "request" });
    expect(fetch).not.toHaveBeenCalled();
  });
});
