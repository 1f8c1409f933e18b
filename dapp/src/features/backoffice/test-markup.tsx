/** For tests: a back-office component as static HTML, inside the providers the back office runs in. */
import "./messages";
import { QueryClient, QueryClientProvider, type QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ToastProvider } from "../../components/ui";
import { I18nProvider } from "../../i18n";

/** `cached`: the answers already in the query cache, by query key (what the server "sent"). */
export function staffMarkup(node: ReactNode, cached: readonly (readonly [QueryKey, unknown])[] = []): string {
  const client = new QueryClient();
  for (const [key, data] of cached) client.setQueryData(key, data);
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <I18nProvider>
        <ToastProvider>{node}</ToastProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
}
