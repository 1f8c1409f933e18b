/** The expected chain as viem sees it, and asking a wallet to move to it. */
import { defineChain, numberToHex, type Chain, type EIP1193Provider } from "viem";
import { walletErrorCode } from "../../lib/errors";
import type { Network } from "./network";

/** EIP-1193 / MetaMask: the wallet does not know this chain yet. */
const UNRECOGNIZED_CHAIN = 4902;

export function viemChain(network: Network): Chain {
  return defineChain({
    id: network.chainId,
    name: network.chainName,
    nativeCurrency: network.nativeCurrency,
    rpcUrls: { default: { http: network.rpcUrl ? [network.rpcUrl] : [] } },
    blockExplorers: network.explorerUrl ? { default: { name: "Explorer", url: network.explorerUrl } } : undefined,
  });
}

/**
 * wallet_switchEthereumChain to the network; when the wallet does not know the chain (4902, or
 * some wallets' -32603 wrapping it), wallet_addEthereumChain with its RPC URL, which also switches.
 */
export async function switchToNetwork(provider: EIP1193Provider, network: Network): Promise<void> {
  const chainId = numberToHex(network.chainId);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    const code = walletErrorCode(error);
    if ((code !== UNRECOGNIZED_CHAIN && code !== -32603) || !network.rpcUrl) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId,
          chainName: network.chainName,
          nativeCurrency: network.nativeCurrency,
          rpcUrls: [network.rpcUrl],
          blockExplorerUrls: network.explorerUrl ? [network.explorerUrl] : undefined,
        },
      ],
    });
  }
}

/** A chain id as EIP-1193 reports it ("0x7a69") or as a number. */
export function parseChainId(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value) {
    const parsed = value.startsWith("0x") ? Number.parseInt(value, 16) : Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}
