/**
 * The escape hatch on the Exchange contract itself, read and sent through the wallet's own provider so
 * that it works without the operator: `walletState(wallet)` (when the exit opens), the vault balance
 * per token, `requestExit()`, `cancelExit()` and `withdrawExited(token)`.
 */
import { useMutation, useQuery, useQueryClient, type MutationOptions, type QueryClient } from "@tanstack/react-query";
import type { Address, Hex, PublicClient, WalletClient } from "viem";
import type { Market, TokenInfo } from "../../lib/api-types";
import { exchangeAbi } from "../../lib/exchange-abi";
import { marketTokens } from "../balances";
import { mined, useWallet } from "../wallet";

export interface ExitState {
  /** Unix seconds when the exit opens; 0 when none was requested. */
  exitAvailableAt: bigint;
  /** The delay a new exit waits, in seconds. */
  exitDelay: bigint;
  /** The latest block's timestamp and when it was read (ms, wall clock): the countdown runs on chain time. */
  chainTime: bigint;
  readAtMs: number;
  /** token address (lowercase) -> the wallet's balance in the contract's vault. */
  vault: Map<string, bigint>;
}

function exitKey(address: Address | null) {
  return ["exit", address] as const;
}

export function useExitState(exchange: Address | null, tokens: readonly TokenInfo[]) {
  const { address, publicClient, wrongChain } = useWallet();
  return useQuery({
    queryKey: [...exitKey(address), exchange, tokens.map((token) => token.address)],
    enabled: address !== null && publicClient !== null && exchange !== null && !wrongChain,
    refetchInterval: 10_000,
    queryFn: async (): Promise<ExitState> => {
      if (!address || !publicClient || !exchange) throw new Error("wallet not ready");
      const contract = { address: exchange, abi: exchangeAbi } as const;
      const [[, exitAvailableAt], exitDelay, block, balances] = await Promise.all([
        publicClient.readContract({ ...contract, functionName: "walletState", args: [address] }),
        publicClient.readContract({ ...contract, functionName: "exitDelay" }),
        publicClient.getBlock({ blockTag: "latest" }),
        Promise.all(
          tokens.map((token) => publicClient.readContract({ ...contract, functionName: "balanceOf", args: [address, token.address] })),
        ),
      ]);
      return {
        exitAvailableAt,
        exitDelay,
        chainTime: block.timestamp,
        readAtMs: Date.now(),
        vault: new Map(tokens.map((token, index) => [token.address.toLowerCase(), balances[index] ?? 0n])),
      };
    },
  });
}

/** The connected wallet's exit on the network's Exchange, with its vault balances of the tokens of `markets`. */
export function useWalletExit(markets: readonly Market[]) {
  const { network } = useWallet();
  const exchange = (network?.contracts.Exchange ?? null) as Address | null;
  const tokens = marketTokens(markets);
  return { exchange, tokens, state: useExitState(exchange, tokens) };
}

/** Whether the connected wallet requested an exit: the exchange then takes no orders from it until it cancels. */
export function useExitRequested(markets: readonly Market[]): boolean {
  const { state } = useWalletExit(markets);
  return (state.data?.exitAvailableAt ?? 0n) !== 0n;
}

export type ExitAction = { kind: "request" } | { kind: "cancel" } | { kind: "withdraw"; token: Address };

interface ExitWallet {
  address: Address | null;
  walletClient: WalletClient | null;
  publicClient: PublicClient | null;
}

/** One escape-hatch transaction sent from the wallet, resolved once mined; then the exit state and the wallet's
 * balances are read again. The exchange's balances follow the account channel: the indexer tells the wallet once it
 * booked a withdrawal as final (`{"type": "exit"}`), and the balances table reads them again then. */
export function exitActionMutation(
  queryClient: QueryClient,
  { address, walletClient, publicClient }: ExitWallet,
  exchange: Address | null,
): MutationOptions<Hex, Error, ExitAction> {
  return {
    mutationFn: async (action: ExitAction) => {
      if (!address || !walletClient || !publicClient || !exchange) throw new Error("wallet not ready");
      const send = { account: address, chain: walletClient.chain, address: exchange, abi: exchangeAbi } as const;
      const hash =
        action.kind === "withdraw"
          ? await walletClient.writeContract({ ...send, functionName: "withdrawExited", args: [action.token] })
          : await walletClient.writeContract({ ...send, functionName: action.kind === "request" ? "requestExit" : "cancelExit" });
      await mined(publicClient, hash);
      return hash;
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: exitKey(address) });
      void queryClient.invalidateQueries({ queryKey: ["wallet-balances"] });
    },
  };
}

/** Send one escape-hatch transaction from the wallet and wait until it is mined. */
export function useExitAction(exchange: Address | null) {
  const { address, walletClient, publicClient } = useWallet();
  const queryClient = useQueryClient();
  return useMutation(exitActionMutation(queryClient, { address, walletClient, publicClient }, exchange));
}
