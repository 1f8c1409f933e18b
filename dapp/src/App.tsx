/**
 * The app's pages by route (lib/router): the trading page at `/` (header with brand, market, 24h figures,
 * account link, language, sign-in, wallet; then chart, book, order form, trades, account tables and
 * funds), the account page at `/account`, and the staff back office at `/backoffice`, the last two
 * loaded on demand. Features meet only here, through props and lib/.
 */
import { Suspense, type ReactNode } from "react";
import { StatusMessage } from "./components/ui";
import { AccountLink, AccountPage } from "./features/account";
import { SignInButton } from "./features/auth";
import { BackOffice } from "./features/backoffice";
import { PriceChart } from "./features/chart";
import { FundsPanel } from "./features/funds";
import { MarketHeader, MarketSelector, useMarkets, useSelectedMarket } from "./features/markets";
import { Notifications } from "./features/notifications";
import { OrderBookPanel } from "./features/orderbook";
import { OrderForm } from "./features/order-form";
import { AccountTabs, useOpenOrders } from "./features/orders";
import { RecentTrades } from "./features/trades";
import { ConnectDialog, WalletButton, WrongChainBanner } from "./features/wallet";
import { LanguageSwitcher, useI18n } from "./i18n";
import { errorText } from "./lib/errors";
import { isStaffRoute, Link, paths, useRoute } from "./lib/router";
import { useStreamStatus } from "./lib/use-stream";
import "./styles/layout.css";

export function App() {
  const route = useRoute();
  const { t } = useI18n();
  const loading = <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  if (isStaffRoute(route))
    return (
      <Suspense fallback={loading}>
        <BackOffice route={route} />
      </Suspense>
    );
  if (route.name === "account")
    return (
      <WalletShell top={<TradeLink />}>
        <Suspense fallback={loading}>
          <AccountPage />
        </Suspense>
      </WalletShell>
    );
  if (route.name === "not-found")
    return (
      <WalletShell top={<TradeLink />}>
        <StatusMessage kind="empty">{t("nav.notFound")}</StatusMessage>
      </WalletShell>
    );
  return <TradingPage />;
}

function TradeLink() {
  const { t } = useI18n();
  return (
    <nav aria-label={t("nav.label")}>
      <Link to={paths.trading}>{t("nav.trade")}</Link>
    </nav>
  );
}

/** The wallet user's pages: top bar (brand, `top`, account link, language, sign-in, wallet), banners, `children`. */
function WalletShell({ top, children }: { top?: ReactNode; children: ReactNode }) {
  const { t } = useI18n();
  const streamStatus = useStreamStatus();
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          <Link to={paths.trading}>HDEX</Link>
        </h1>
        {top}
        <div className="topbar__actions">
          <AccountLink />
          <LanguageSwitcher />
          <SignInButton />
          <WalletButton />
        </div>
      </header>
      <WrongChainBanner />
      {streamStatus === "reconnecting" ? (
        <p className="banner banner--warning" role="status">
          {t("common.reconnecting")}
        </p>
      ) : null}
      <main className="app__main">{children}</main>
      <ConnectDialog />
      <Notifications />
    </div>
  );
}

function TradingPage() {
  const { t } = useI18n();
  const markets = useMarkets();
  const [market, selectMarket] = useSelectedMarket(markets.data);
  const openOrders = useOpenOrders(market);

  let body;
  if (markets.isPending) body = <StatusMessage kind="loading">{t("market.loading")}</StatusMessage>;
  else if (markets.error)
    body = (
      <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void markets.refetch() }}>
        {errorText(markets.error, t)}
      </StatusMessage>
    );
  else if (!market) body = <StatusMessage kind="empty">{t("market.none")}</StatusMessage>;
  else
    body = (
      <div className="trade-layout">
        <div className="area area--chart">
          <PriceChart market={market} openOrders={openOrders} />
        </div>
        <div className="area area--book">
          <OrderBookPanel market={market} />
        </div>
        <div className="area area--form">
          <OrderForm market={market} />
        </div>
        <div className="area area--trades">
          <RecentTrades market={market} />
        </div>
        <div className="area area--account">
          <AccountTabs market={market} markets={markets.data ?? []} />
        </div>
        <div className="area area--funds">
          <FundsPanel markets={markets.data ?? []} />
        </div>
      </div>
    );

  return (
    <WalletShell
      top={
        <>
          {market && markets.data ? <MarketSelector markets={markets.data} selected={market} onSelect={selectMarket} /> : null}
          {market ? <MarketHeader market={market} /> : null}
        </>
      }
    >
      {body}
    </WalletShell>
  );
}
