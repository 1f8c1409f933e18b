/** The "Fills" table: each trade as this wallet saw it, with its fee and on-chain settlement. */
import { DataTable, LoadMore, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { formatBaseAmount, formatPrice, formatQuoteAmount } from "../../lib/market";
import { useWallet } from "../wallet";
import { useFills, type AccountFill } from "./account-orders";
import { csvPrice, csvTime, csvUnits, settlementKey } from "./order-words";

export function FillsTable({ markets }: { markets: ReadonlyMap<string, Market> }) {
  const { t, locale, formatDateTime, formatUnits } = useI18n();
  const { address } = useWallet();
  const fills = useFills(address);
  const withMarket = (f: AccountFill, show: (market: Market) => string, raw: string) => {
    const market = markets.get(f.market);
    return market ? show(market) : raw;
  };
  const columns: Column<AccountFill>[] = [
    { id: "time", header: t("account.col.time"), cell: (f) => formatDateTime(f.time), csv: (f) => csvTime(f.time) },
    { id: "market", header: t("account.col.market"), cell: (f) => f.market, csv: (f) => f.market },
    {
      id: "side",
      header: t("account.col.side"),
      cell: (f) => <span className={`${f.side}-text`}>{t(f.side === "buy" ? "order.buy" : "order.sell")}</span>,
      csv: (f) => f.side,
    },
    {
      id: "liquidity",
      header: t("account.col.liquidity"),
      cell: (f) => t(`account.liquidity.${f.liquidity}`),
      csv: (f) => f.liquidity,
    },
    {
      id: "price",
      header: t("account.col.price"),
      align: "end",
      cell: (f) => withMarket(f, (m) => formatPrice(f.price, m, locale), f.price),
      csv: (f) => csvPrice(f.price, markets.get(f.market)),
    },
    {
      id: "amount",
      header: t("account.col.amount"),
      align: "end",
      cell: (f) => withMarket(f, (m) => formatBaseAmount(f.baseAmount, m, locale), f.baseAmount),
      csv: (f) => csvUnits(f.baseAmount, markets.get(f.market)?.baseToken.decimals ?? 0),
    },
    {
      id: "total",
      header: t("account.col.total"),
      align: "end",
      cell: (f) => withMarket(f, (m) => formatQuoteAmount(f.quoteAmount, m, locale), f.quoteAmount),
      csv: (f) => csvUnits(f.quoteAmount, markets.get(f.market)?.quoteToken.decimals ?? 0),
    },
    {
      id: "fee",
      header: t("account.col.fee"),
      align: "end",
      cell: (f) => `${formatUnits(f.fee, f.feeTokenDecimals)} ${f.feeTokenSymbol}`,
      csv: (f) => `${csvUnits(f.fee, f.feeTokenDecimals)} ${f.feeTokenSymbol}`,
    },
    {
      id: "settlement",
      header: t("account.col.settlement"),
      cell: (f) =>
        f.failureReason ? t("account.settlementWithReason", { status: t(settlementKey(f.status)), reason: f.failureReason }) : t(settlementKey(f.status)),
      csv: (f) => (f.failureReason ? `${f.status}: ${f.failureReason}` : f.status),
    },
  ];
  return (
    <>
      <DataTable
        label={t("account.tab.fills")}
        columns={columns}
        rows={fills.data?.pages.flatMap((page) => page.fills)}
        rowKey={(f) => f.id}
        loading={fills.isPending}
        error={fills.error ? errorText(fills.error, t) : null}
        onRetry={() => void fills.refetch()}
        empty={t("account.emptyFills")}
        csvFileName={`hdex-fills-${address ?? "wallet"}.csv`}
      />
      <LoadMore className="account-tabs__more" query={fills} />
    </>
  );
}
