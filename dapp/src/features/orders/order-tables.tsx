/** The "Open orders" (each with a signed cancel, and a cancel on-chain) and "Order history" tables. */
import type { Hex } from "viem";
import { DataTable, LoadMore, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { formatBaseAmount, formatPrice } from "../../lib/market";
import { tradingErrorText } from "../order-form";
import { useWallet } from "../wallet";
import { AccountError } from "./account-error";
import { useAccountOpenOrders, useOrderHistory, type OrderView } from "./account-orders";
import { useCancelOrder } from "./cancels";
import { onChainErrorText, type OnChainPhase } from "./on-chain-cancel";
import { csvPrice, csvTime, csvUnits, kindKey, reasonText, statusKey } from "./order-words";

type Markets = ReadonlyMap<string, Market>;

/** The columns both tables share: when placed, market, side, kind, prices and amounts. */
function useOrderColumns(markets: Markets): Column<OrderView>[] {
  const { t, locale, formatDateTime } = useI18n();
  const price = (order: OrderView, value: string) => {
    const market = markets.get(order.market);
    return market ? formatPrice(value, market, locale) : value;
  };
  const amount = (order: OrderView, value: string) => {
    const market = markets.get(order.market);
    return market ? formatBaseAmount(value, market, locale) : value;
  };
  const baseDecimals = (order: OrderView) => markets.get(order.market)?.baseToken.decimals ?? 0;
  return [
    { id: "placed", header: t("account.col.placed"), cell: (o) => formatDateTime(o.createdAt), csv: (o) => csvTime(o.createdAt) },
    { id: "market", header: t("account.col.market"), cell: (o) => o.market, csv: (o) => o.market },
    {
      id: "side",
      header: t("account.col.side"),
      cell: (o) => <span className={`${o.side}-text`}>{t(o.side === "buy" ? "order.buy" : "order.sell")}</span>,
      csv: (o) => o.side,
    },
    { id: "kind", header: t("account.col.kind"), cell: (o) => t(kindKey(o)), csv: (o) => t(kindKey(o)) },
    {
      id: "price",
      header: t("account.col.price"),
      align: "end",
      cell: (o) => price(o, o.order.limitPrice),
      csv: (o) => csvPrice(o.order.limitPrice, markets.get(o.market)),
    },
    {
      id: "trigger",
      header: t("account.col.trigger"),
      align: "end",
      cell: (o) => (o.order.triggerPrice === "0" ? t("common.none") : price(o, o.order.triggerPrice)),
      csv: (o) => (o.order.triggerPrice === "0" ? "" : csvPrice(o.order.triggerPrice, markets.get(o.market))),
    },
    {
      id: "amount",
      header: t("account.col.amount"),
      align: "end",
      cell: (o) => amount(o, o.order.baseAmount),
      csv: (o) => csvUnits(o.order.baseAmount, baseDecimals(o)),
    },
    {
      id: "filled",
      header: t("account.col.filled"),
      align: "end",
      cell: (o) => amount(o, o.filled),
      csv: (o) => csvUnits(o.filled, baseDecimals(o)),
    },
    { id: "tif", header: t("account.col.tif"), cell: (o) => t(`account.tif.${o.timeInForce}`), csv: (o) => o.timeInForce },
  ];
}

// An open order's figures come first: on a phone the actions stay in view and the rest scrolls, and a trader
// checks the amount left before cancelling, not when or how the order was placed
const OPEN_ORDER_COLUMNS = ["market", "side", "price", "amount", "filled", "trigger", "kind", "tif", "placed"];

function amountsFirst<Row>(columns: Column<Row>[]): Column<Row>[] {
  const at = (column: Column<Row>) => OPEN_ORDER_COLUMNS.indexOf(column.id);
  return [...columns].sort((a, b) => at(a) - at(b));
}

/** The on-chain cancel of one row at a time, held by the account panel (it outlives a switch of tab). */
export interface RowOnChainCancel {
  /** The order being cancelled on-chain, and where that is; null when none is. */
  pending: { hash: string; phase: OnChainPhase | null } | null;
  /** Orders cancelled on-chain that HDEX has not taken off its book yet (its indexer is a block or two behind). */
  voided: ReadonlySet<string>;
  error: Error | null;
  cancel: (order: OrderView, summary: string) => void;
}

export function OpenOrdersTable({ markets, onChain }: { markets: Markets; onChain: RowOnChainCancel }) {
  const { t, locale } = useI18n();
  const { address, wrongChain } = useWallet();
  const orders = useAccountOpenOrders(address);
  const cancel = useCancelOrder();
  const columns = amountsFirst(useOrderColumns(markets));
  const summary = (o: OrderView) => {
    const market = markets.get(o.market);
    return t("account.orderSummary", {
      side: t(o.side === "buy" ? "order.buy" : "order.sell"),
      amount: market ? formatBaseAmount(o.remaining, market, locale) : o.remaining,
      price: market ? formatPrice(o.order.limitPrice, market, locale) : o.order.limitPrice,
      market: o.market,
    });
  };
  // shown short where the column is narrow, spoken in full (the spoken name contains the shown text)
  const onChainLabel = (o: OrderView, form: "shown" | "spoken") => {
    if (onChain.voided.has(o.hash)) return t("account.cancelledOnChainWaiting");
    if (onChain.pending?.hash !== o.hash) return t(form === "shown" ? "account.onChainShort" : "account.cancelOnChain");
    return t(onChain.pending.phase === "mining" ? "account.onChainMining" : "account.onChainConfirm");
  };
  columns.push({
    id: "cancel",
    header: t("account.col.action"),
    cell: (o) => (
      <span className="account-tabs__actions">
        <button
          type="button"
          className="button button--small"
          aria-label={t("account.cancelOne", { order: summary(o) })}
          disabled={cancel.isPending && cancel.variables === o.hash}
          onClick={() => cancel.mutate(o.hash as Hex)}
        >
          {t("account.cancel")}
        </button>
        <button
          type="button"
          className="button button--small button--ghost"
          aria-label={t("account.actionOnOrder", { action: onChainLabel(o, "spoken"), order: summary(o) })}
          title={t("account.cancelOnChainHint")}
          disabled={wrongChain || onChain.pending !== null || onChain.voided.has(o.hash)}
          onClick={() => onChain.cancel(o, summary(o))}
        >
          {onChainLabel(o, "shown")}
        </button>
      </span>
    ),
  });
  return (
    <>
      <AccountError text={cancel.error ? tradingErrorText(cancel.error, t) : null} />
      <AccountError text={onChain.error ? onChainErrorText(onChain.error, t) : null} />
      {/* on a phone the actions stay in view while the other columns scroll (account-tabs.css) */}
      <div className="open-orders">
        <DataTable
          label={t("account.tab.open")}
          columns={columns}
          rows={orders.data}
          rowKey={(o) => o.hash}
          loading={orders.isPending}
          error={orders.error ? errorText(orders.error, t) : null}
          onRetry={() => void orders.refetch()}
          empty={t("account.emptyOpen")}
        />
      </div>
    </>
  );
}

export function OrderHistoryTable({ markets }: { markets: Markets }) {
  const { t, formatDateTime } = useI18n();
  const { address } = useWallet();
  const history = useOrderHistory(address);
  const columns = useOrderColumns(markets);
  // when it left the book (the API lists the history by it, newest first); "Placed" says when it came
  columns.splice(1, 0, {
    id: "closed",
    header: t("account.col.closed"),
    cell: (o) => formatDateTime(o.updatedAt),
    csv: (o) => csvTime(o.updatedAt),
  });
  columns.push({
    id: "status",
    header: t("account.col.status"),
    cell: (o) => {
      const reason = reasonText(o.reason, t);
      return reason ? t("account.statusWithReason", { status: t(statusKey(o.status)), reason }) : t(statusKey(o.status));
    },
    csv: (o) => (o.reason ? `${o.status} (${o.reason})` : o.status),
  });
  return (
    <>
      <DataTable
        label={t("account.tab.history")}
        columns={columns}
        rows={history.data?.pages.flatMap((page) => page.orders)}
        rowKey={(o) => o.hash}
        loading={history.isPending}
        error={history.error ? errorText(history.error, t) : null}
        onRetry={() => void history.refetch()}
        empty={t("account.emptyHistory")}
        csvFileName={`hdex-orders-${address ?? "wallet"}.csv`}
      />
      <LoadMore className="account-tabs__more" query={history} />
    </>
  );
}
