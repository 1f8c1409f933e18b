/**
 * The chain this exchange runs on, from `GET /v1/network` (chain id, name, RPC URL for
 * wallet_addEthereumChain, whether it is the development chain, explorer, contract addresses).
 * An older server without that endpoint still gives the chain id and contracts in `GET /health`.
 */
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../../lib/api-client";
import type { Health } from "../../lib/api-types";

export interface Network {
  chainId: number;
  chainName: string;
  /** JSON-RPC URL a wallet can add; null when the server does not publish one. */
  rpcUrl: string | null;
  nativeCurrency: { name: string; symbol: string; decimals: number };
  /** True on the development chain: the faucet and the add-the-chain guide are shown. */
  development: boolean;
  /** Base URL of a block explorer (`<url>/tx/<hash>`), null when there is none. */
  explorerUrl: string | null;
  /** Contract name -> address (`Exchange`, `WETH`, `USDC`, ...). */
  contracts: Record<string, string>;
}

const ETHER = { name: "Ether", symbol: "ETH", decimals: 18 };

async function fetchNetwork(): Promise<Network> {
  try {
    const network = await api.get<Partial<Network> & { chainId: number }>("/v1/network");
    return {
      chainName: `Chain ${network.chainId}`,
      rpcUrl: null,
      nativeCurrency: ETHER,
      development: false,
      explorerUrl: null,
      contracts: {},
      ...network,
    };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  // /health answers 503 with the same body when a part is down; its chain id is still the configured one.
  const response = await fetch("/health", { headers: { Accept: "application/json" } });
  const health = (await response.json()) as Health;
  return {
    chainId: health.chain_id,
    chainName: `Chain ${health.chain_id}`,
    rpcUrl: null,
    nativeCurrency: ETHER,
    development: health.chain_id === 31337,
    explorerUrl: null,
    contracts: health.contracts,
  };
}

export function useNetwork() {
  return useQuery({ queryKey: ["network"], queryFn: fetchNetwork, staleTime: Infinity });
}
