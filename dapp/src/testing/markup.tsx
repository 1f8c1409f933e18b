/** For tests: a component as static HTML inside the providers the dApp renders it in (the query cache, the
 *  messages, the wallet, the toasts). A feature's test imports its own messages (`import "./messages"`) first. */
import { QueryClient, QueryClientProvider, type QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ToastProvider } from "../components/ui";
import { WalletProvider } from "../features/wallet";
import { I18nProvider } from "../i18n";

/** `cached`: the answers already in the query cache, by query key (what the server "sent"). */
export function providedMarkup(node: ReactNode, cached: readonly (readonly [QueryKey, unknown])[] = []): string {
  const client = new QueryClient();
  for (const [key, data] of cached) client.setQueryData(key, data);
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
