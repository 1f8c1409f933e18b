/**
 * The connected wallet: which one, its account and chain (followed as the user changes them), the
 * wrong-chain state, and viem clients bound to it. The last wallet used is reconnected silently
 * (eth_accounts) on the next visit; "Disconnect" forgets it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import {
  createPublicClient,
  createWalletClient,
  custom,
  getAddress,
  type Address,
  type EIP1193Provider,
  type PublicClient,
  type WalletClient,
} from "viem";
import { parseChainId, switchToNetwork, viemChain } from "./chain";
import { useConnectedEvent } from "./connected-event";
import { useWalletOptions, type WalletOption } from "./discovery";
import { useNetwork, type Network } from "./network";

const STORAGE_KEY = "hdex.wallet";

export type WalletStatus = "disconnected" | "connecting" | "connected";

export interface WalletState {
  status: WalletStatus;
  /** EIP-55 address of the selected account. */
  address: Address | null;
  chainId: number | null;
  /** The exchange's chain (null while loading it). */
  network: Network | null;
  /** Connected, but the wallet is on another chain than the exchange's. */
  wrongChain: boolean;
  wallet: WalletOption | null;
  /** The raw EIP-1193 provider of the connected wallet. */
  provider: EIP1193Provider | null;
  /** Signs and sends with the connected account on the exchange's chain (null unless connected). */
  walletClient: WalletClient | null;
  /** Reads the chain through the wallet's provider (null unless connected). */
  publicClient: PublicClient | null;
  /** Every wallet found in the browser. */
  wallets: WalletOption[];
  connect(walletId: string): Promise<void>;
  disconnect(): void;
  /** Ask the wallet to move to the exchange's chain (adding it first when unknown). */
  switchNetwork(): Promise<void>;
  /** Open the wallet list (for any "connect first" prompt). */
  openConnectDialog(): void;
  closeConnectDialog(): void;
  connectDialogOpen: boolean;
}

const WalletContext = createContext<WalletState | null>(null);

interface Connection {
  wallet: WalletOption;
  address: Address;
  chainId: number | null;
}

function remembered(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function remember(walletId: string | null): void {
  try {
    if (walletId) window.localStorage.setItem(STORAGE_KEY, walletId);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Reconnecting on the next visit is a convenience.
  }
}

async function readConnection(wallet: WalletOption, method: "eth_requestAccounts" | "eth_accounts"): Promise<Connection | null> {
  const accounts = (await wallet.provider.request({ method })) as string[];
  const account = accounts[0];
  if (!account) return null;
  const chainId = parseChainId(await wallet.provider.request({ method: "eth_chainId" }));
  return { wallet, address: getAddress(account), chainId };
}

export function WalletProvider({ children }: { children: ReactNode }) {
  const wallets = useWalletOptions();
  const { data: network = null } = useNetwork();
  const [connection, setConnection] = useState<Connection | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [dialogOpen, setDialogOpen] = useState(false);
  useConnectedEvent(connection?.address ?? null); // first-party statistics (issue 16)

  // Silent reconnect to the wallet used last time, once it has announced itself.
  useEffect(() => {
    const id = remembered();
    if (connection || connecting || !id) return;
    const wallet = wallets.find((option) => option.id === id);
    if (!wallet) return;
    let cancelled = false;
    readConnection(wallet, "eth_accounts")
      .then((found) => {
        if (!cancelled && found) setConnection(found);
      })
      .catch(() => undefined); // a wallet that refuses eth_accounts just stays disconnected
    return () => {
      cancelled = true;
    };
  }, [wallets, connection, connecting]);

  // Follow the user's account and chain changes in the wallet.
  const activeWallet = connection?.wallet ?? null;
  useEffect(() => {
    if (!activeWallet) return undefined;
    const { provider } = activeWallet;
    const onAccounts = (accounts: string[]) => {
      const account = accounts[0];
      if (!account) setConnection(null);
      else setConnection((current) => (current ? { ...current, address: getAddress(account) } : current));
    };
    const onChain = (chainId: string) =>
      setConnection((current) => (current ? { ...current, chainId: parseChainId(chainId) } : current));
    const onDisconnect = () => setConnection(null);
    provider.on("accountsChanged", onAccounts);
    provider.on("chainChanged", onChain);
    provider.on("disconnect", onDisconnect);
    return () => {
      provider.removeListener("accountsChanged", onAccounts);
      provider.removeListener("chainChanged", onChain);
      provider.removeListener("disconnect", onDisconnect);
    };
  }, [activeWallet]);

  const connect = useCallback(
    async (walletId: string) => {
      const wallet = wallets.find((option) => option.id === walletId);
      if (!wallet) throw new Error(`no wallet ${walletId}`);
      setConnecting(true);
      try {
        const found = await readConnection(wallet, "eth_requestAccounts");
        setConnection(found);
        remember(found ? wallet.id : null);
        if (found) setDialogOpen(false);
      } finally {
        setConnecting(false);
      }
    },
    [wallets],
  );

  const disconnect = useCallback(() => {
    setConnection(null);
    remember(null);
  }, []);

  const switchNetwork = useCallback(async () => {
    if (!connection || !network) return;
    await switchToNetwork(connection.wallet.provider, network);
    // Wallets also emit chainChanged; reading it back covers those that do not.
    const chainId = parseChainId(await connection.wallet.provider.request({ method: "eth_chainId" }));
    setConnection((current) => (current ? { ...current, chainId } : current));
  }, [connection, network]);

  const clients = useMemo(() => {
    if (!connection || !network) return { walletClient: null, publicClient: null };
    const chain = viemChain(network);
    const transport = custom(connection.wallet.provider);
    return {
      walletClient: createWalletClient({ account: connection.address, chain, transport }),
      publicClient: createPublicClient({ chain, transport }) as PublicClient,
    };
  }, [connection, network]);

  const value = useMemo<WalletState>(
    () => ({
      status: connection ? "connected" : connecting ? "connecting" : "disconnected",
      address: connection?.address ?? null,
      chainId: connection?.chainId ?? null,
      network,
      wrongChain: Boolean(connection && network && connection.chainId !== network.chainId),
      wallet: connection?.wallet ?? null,
      provider: connection?.wallet.provider ?? null,
      walletClient: clients.walletClient,
      publicClient: clients.publicClient,
      wallets,
      connect,
      disconnect,
      switchNetwork,
      openConnectDialog: () => setDialogOpen(true),
      closeConnectDialog: () => setDialogOpen(false),
      connectDialogOpen: dialogOpen,
    }),
    [connection, connecting, network, clients, wallets, connect, disconnect, switchNetwork, dialogOpen],
  );

  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

export function useWallet(): WalletState {
  const value = useContext(WalletContext);
  if (!value) throw new Error("useWallet outside WalletProvider");
  return value;
}
