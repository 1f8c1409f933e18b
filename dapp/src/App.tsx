/**
 * The app's pages by route (lib/router): the trading page at `/` (header with brand, market, 24h figures,
 * account link, language, sign-in, wallet; then chart, book, order form, trades, account tables and
 * funds), the account page at `/account`, the statistics at `/stats`, the support desk at `/support`, the
 * help center at `/help`, the forum at `/forum`, and the staff back office at `/backoffice`, all but the
 * trading page loaded on demand. Current announcements show above every wallet user's page. Features meet only here, through props and lib/.
 */
import { Suspense, type ReactNode } from "react";
import { StatusMessage } from "./components/ui";
import { AccountLink, AccountPage } from "./features/account";
import { Announcements } from "./features/announcements";
import { ScheduledChanges } from "./features/governance";
import { SignInButton } from "./features/auth";
import { BackOffice } from "./features/backoffice";
import { PriceChart } from "./features/chart";
import { EXIT_ANCHOR, useExitRequested } from "./features/exit";
import { ForumPage } from "./features/forum";
import { FundsPanel } from "./features/funds";
import { HelpCenter } from "./features/help";
import { MarketHeader, MarketSelector, useMarkets, useSelectedMarket } from "./features/markets";
import { Notifications } from "./features/notifications";
import { OrderBookPanel } from "./features/orderbook";
import { OrderForm } from "./features/order-form";
import { AccountTabs, useOpenOrders } from "./features/orders";
import { StatsPage } from "./features/stats";
import { SupportPage } from "./features/support";
import { RecentTrades } from "./features/trades";
import { ConnectDialog, WalletButton, WrongChainBanner } from "./features/wallet";
import { LanguageSwitcher, useI18n } from "./i18n";
import { errorText } from "./lib/errors";
import { loadError } from "./lib/query-client";
import { isStaffRoute, Link, paths, useRoute } from "./lib/router";
import { StreamNotice } from "./lib/stream-notice";
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
  let page: ReactNode = null;
  if (route.name === "account") page = <AccountPage />;
  else if (route.name === "stats") page = <StatsPage />;
  else if (route.name === "support") page = <SupportPage rest={route.rest} />;
  else if (route.name === "help") page = <HelpCenter rest={route.rest} />;
  else if (route.name === "forum") page = <ForumPage rest={route.rest} />;
  if (page)
    return (
      <WalletShell top={<PageLinks />}>
        <Suspense fallback={loading}>{page}</Suspense>
      </WalletShell>
    );
  if (route.name === "not-found")
    return (
      <WalletShell top={<PageLinks />}>
        <StatusMessage kind="empty">{t("nav.notFound")}</StatusMessage>
      </WalletShell>
    );
  return <TradingPage />;
}

/** The wallet user's pages besides the account (linked from the top bar's account link). */
function PageLinks() {
  const { t } = useI18n();
  return (
    <nav aria-label={t("nav.label")} className="page-links">
      <Link to={paths.trading}>{t("nav.trade")}</Link>
      <Link to={paths.stats}>{t("nav.stats")}</Link>
      <Link to={paths.help}>{t("nav.help")}</Link>
      <Link to={paths.support}>{t("nav.support")}</Link>
      <Link to={paths.forum}>{t("nav.forum")}</Link>
    </nav>
  );
}

/** The wallet user's pages: top bar (brand, `top`, account link, language, sign-in, wallet), banners, `children`. */
function WalletShell({ top, children }: { top?: ReactNode; children: ReactNode }) {
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
      <Announcements />
      <ScheduledChanges />
      <StreamNotice />
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
  const exitRequested = useExitRequested(markets.data ?? []);

  const marketsFailed = loadError(markets);
  let body;
  if (markets.isPending) body = <StatusMessage kind="loading">{t("market.loading")}</StatusMessage>;
  else if (marketsFailed)
    body = (
      <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void markets.refetch() }}>
        {errorText(marketsFailed, t)}
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
          <OrderForm market={market} exitPanel={exitRequested ? EXIT_ANCHOR : null} />
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
          <PageLinks />
          {market && markets.data ? <MarketSelector markets={markets.data} selected={market} onSelect={selectMarket} /> : null}
          {market ? <MarketHeader market={market} /> : null}
        </>
      }
    >
      {body}
    </WalletShell>
  );
}
