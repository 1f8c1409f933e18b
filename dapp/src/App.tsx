/**
 * The trading page: header (brand, market, 24h figures, language, sign-in, wallet), then chart, book,
 * order form, trades, account tables and funds. Features meet only here, through props and lib/.
 */
import { StatusMessage } from "./components/ui";
import { SignInButton } from "./features/auth";
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
import { useStreamStatus } from "./lib/use-stream";
import "./styles/layout.css";

export function App() {
  const { t } = useI18n();
  const markets = useMarkets();
  const [market, selectMarket] = useSelectedMarket(markets.data);
  const openOrders = useOpenOrders(market);
  const streamStatus = useStreamStatus();

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
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          <a href="/">HDEX</a>
        </h1>
        {market && markets.data ? <MarketSelector markets={markets.data} selected={market} onSelect={selectMarket} /> : null}
        {market ? <MarketHeader market={market} /> : null}
        <div className="topbar__actions">
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
      <main className="app__main">{body}</main>
      <ConnectDialog />
      <Notifications />
    </div>
  );
}
