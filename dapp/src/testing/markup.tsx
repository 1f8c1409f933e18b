/** For tests: a component as static HTML inside the providers the dApp renders it in (the query cache, the
 *  messages, the wallet, the toasts). A feature's test imports its own messages (`import "./messages"`) first. */
import { QueryClient, QueryClientProvider, type QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ToastProvider } from "../components/ui";
import { WalletProvider } from "../features/wallet";
import { I18nProvider } from "../i18n";

/** `cached`: the answers already in the query cache, by query key (what the server "sent"); `failed`: the queries
 *  whose last read failed, with their error (what a page shows when the server refused). */
export function providedMarkup(
  node: ReactNode,
  cached: readonly (readonly [QueryKey, unknown])[] = [],
  failed: readonly (readonly [QueryKey, Error])[] = [],
): string {
  // a failed read shown as the page shows it, not as the new read a mounted page would start
  const client = new QueryClient({ defaultOptions: { queries: { retryOnMount: false } } });
  for (const [key, data] of cached) client.setQueryData(key, data);
  for (const [key, error] of failed) {
    client.getQueryCache().build(client, { queryKey: key }).setState({ status: "error", error, errorUpdatedAt: 1, fetchStatus: "idle" });
  }
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <I18nProvider>
        <WalletProvider>
          <ToastProvider>{node}</ToastProvider>
        </WalletProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
}
