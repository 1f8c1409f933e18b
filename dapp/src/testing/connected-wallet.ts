/** For tests: a connected wallet at `address`, as `useWallet` gives it (the provider cannot connect without a
 *  browser). vi.mock runs before the imports, so a test's mock factory imports this module itself:
 *
 *    vi.mock("../wallet", async (importOriginal) =>
 *      (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, "0x9965..."));
 */
import type { PublicClient, WalletClient } from "viem";
import type * as Wallet from "../features/wallet";
import type { WalletState } from "../features/wallet";

export function connectedWallet(address: `0x${string}`): WalletState {
  return {
    status: "connected", address, chainId: 31337, network: null, wrongChain: false,
    wallet: null, provider: null, walletClient: {} as WalletClient, publicClient: {} as PublicClient, wallets: [],
    connect: async () => {}, disconnect() {}, switchNetwork: async () => {}, openConnectDialog() {}, closeConnectDialog() {},
    connectDialogOpen: false,
  };
}

/** The wallet feature's module with `useWallet` answering the connected wallet at `address`. */
export async function withConnectedWallet(importOriginal: <T>() => Promise<T>, address: `0x${string}`): Promise<typeof Wallet> {
  const original = await importOriginal<typeof Wallet>();
  const state = connectedWallet(address);
  return { ...original, useWallet: () => state };
}
