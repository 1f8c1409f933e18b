/**
 * What the connected wallet itself holds, read on-chain through the wallet's provider: ERC-20
 * `balanceOf` for tokens, the ETH balance for the zero address. Polled, since no API event follows
 * the wallet's own transfers.
 */
import { useQuery } from "@tanstack/react-query";
import { erc20Abi, type Address } from "viem";
import type { Market, TokenInfo } from "../../lib/api-types";
import { useWallet } from "../wallet";

export const ETH = "0x0000000000000000000000000000000000000000";
/** The Exchange's ether balance (the zero address): deposited and withdrawn like a token, though no market may list it. */
const ETHER: TokenInfo = { address: ETH, symbol: "ETH", decimals: 18 };

/** Every token the markets trade, once each, in market order. */
export function marketTokens(markets: readonly Market[]): TokenInfo[] {
  const seen = new Map<string, TokenInfo>();
  for (const market of markets) {
    for (const token of [market.baseToken, market.quoteToken]) {
      if (!seen.has(token.address.toLowerCase())) seen.set(token.address.toLowerCase(), token);
    }
  }
  return [...seen.values()];
}

export function walletBalancesKey(address: Address | null) {
  return ["wallet-balances", address] as const;
}

/** The token at `address` (any case) among those the markets trade, or ether; undefined when none is. */
export function tokenAt(markets: readonly Market[], address: string): TokenInfo | undefined {
  return [...marketTokens(markets), ETHER].find((token) => token.address.toLowerCase() === address.toLowerCase());
}

/** token address (lowercase) -> base units in the wallet; disabled on the wrong chain. */
export function useWalletBalances(tokens: readonly TokenInfo[]) {
  const { address, publicClient, wrongChain } = useWallet();
  return useQuery({
    queryKey: [...walletBalancesKey(address), tokens.map((token) => token.address)],
    enabled: address !== null && publicClient !== null && !wrongChain,
    refetchInterval: 5_000,
    queryFn: async () => {
      if (!address || !publicClient) return new Map<string, bigint>();
      const amounts = await Promise.all(
        tokens.map((token) =>
          token.address.toLowerCase() === ETH
            ? publicClient.getBalance({ address })
            : publicClient.readContract({ address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [address] }),
        ),
      );
      return new Map(tokens.map((token, index) => [token.address.toLowerCase(), amounts[index] ?? 0n]));
    },
  });
}
