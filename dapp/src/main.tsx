import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ToastProvider } from "./components/ui";
import { marketsQuery } from "./features/markets";
import { WalletProvider } from "./features/wallet";
import { I18nProvider } from "./i18n";
import { createQueryClient } from "./lib/query-client";
import { isStaffRoute, routeOf } from "./lib/router";
import { stream } from "./lib/stream-client";
import "./styles/global.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

// The markets and the socket are needed before the first book can show: start both before rendering
// (not for the staff pages, which link to the trading page with a full load).
const queryClient = createQueryClient();
if (!isStaffRoute(routeOf(window.location.pathname))) {
  void queryClient.prefetchQuery(marketsQuery);
  stream.connect();
}

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <ToastProvider>
          <WalletProvider>
            <App />
          </WalletProvider>
        </ToastProvider>
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
);
