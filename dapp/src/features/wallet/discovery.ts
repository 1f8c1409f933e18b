/**
 * Wallets in this browser: every EIP-6963 announcement (via `mipd`), and the legacy injected
 * `window.ethereum` (EIP-1193) when no wallet announces itself.
 */
import { createStore, type EIP6963ProviderDetail } from "mipd";
import { useSyncExternalStore } from "react";
import type { EIP1193Provider } from "viem";

export interface WalletOption {
  /** Stable across page loads: the wallet's rdns, or "injected". */
  id: string;
  /** The wallet's own name; null for an unnamed injected provider (the page names it in its language). */
  name: string | null;
  /** A data: URI image, from the wallet's announcement. */
  icon: string | null;
  provider: EIP1193Provider;
}

export const INJECTED_ID = "injected";

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

let store: ReturnType<typeof createStore> | null = null;
let snapshot: WalletOption[] = [];

function options(details: readonly EIP6963ProviderDetail[]): WalletOption[] {
  const announced = details.map((detail) => ({
    id: detail.info.rdns || detail.info.uuid,
    name: detail.info.name,
    icon: detail.info.icon || null,
    provider: detail.provider as unknown as EIP1193Provider,
  }));
  if (announced.length === 0 && typeof window !== "undefined" && window.ethereum) {
    return [{ id: INJECTED_ID, name: null, icon: null, provider: window.ethereum }];
  }
  return announced;
}

function subscribe(listener: () => void): () => void {
  store ??= createStore();
  snapshot = options(store.getProviders());
  return store.subscribe((details) => {
    snapshot = options(details);
    listener();
  });
}

/** The wallets found so far (announcements can arrive at any time). */
export function useWalletOptions(): WalletOption[] {
  return useSyncExternalStore(
    subscribe,
    () => snapshot,
    () => snapshot,
  );
}
