/**
 * The account panel: tabs "Open orders", "Order history", "Fills" and "Balances"; "Cancel all" signs
 * one bulk cancel for every open order of the wallet, in every market; "Cancel all on-chain" voids them on the
 * contract itself, and so does each order's "Cancel on-chain" for one (./on-chain-cancel). One on-chain cancel
 * at a time; their state lives here, so that a switch of tab does not forget a cancel in flight.
 */
import { useMemo, useState } from "react";
import { Tabs, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { BalancesTable } from "../balances";
import { tradingErrorText } from "../order-form";
import { orderNonces } from "../order-form/order-nonces";
import { useWallet } from "../wallet";
import { AccountError } from "./account-error";
import { useAccountOpenOrders } from "./account-orders";
import { bulkCancelNotice } from "./bulk-cancel";
import { useCancelAll } from "./cancels";
import { onChainErrorText, useCancelAllOnChain, useCancelOnChain, type OnChainPhase } from "./on-chain-cancel";
import { FillsTable } from "./fills-table";
import { OpenOrdersTable, OrderHistoryTable, type RowOnChainCancel } from "./order-tables";
import "./account-tabs.css";

type Tab = "open" | "history" | "fills" | "balances";

export function AccountTabs({ markets }: { market: Market; markets: readonly Market[] }) {
  const { t } = useI18n();
  const { address, wrongChain } = useWallet();
  const [tab, setTab] = useState<Tab>("open");
  const byName = useMemo(() => new Map(markets.map((market) => [market.name, market])), [markets]);
  const open = useAccountOpenOrders(address);
  const cancelAll = useCancelAll();
  const cancelAllOnChain = useCancelAllOnChain();
  const cancelOneOnChain = useCancelOnChain();
  const [voided, setVoided] = useState<ReadonlySet<string>>(() => new Set());
  const toast = useToast();
  const nothingToCancel = !address || wrongChain || !open.data?.length;
  const onChainBusy = cancelAllOnChain.mutation.isPending || cancelOneOnChain.mutation.isPending;
  const phaseText = (phase: OnChainPhase | null) => t(phase === "mining" ? "account.onChainMining" : "account.onChainConfirm");
  const rowOnChain: RowOnChainCancel = {
    pending: cancelOneOnChain.mutation.isPending
      ? { hash: cancelOneOnChain.mutation.variables?.hash ?? "", phase: cancelOneOnChain.phase }
      : null,
    voided,
    error: cancelOneOnChain.mutation.error,
    cancel: (order, summary) => {
      cancelAllOnChain.mutation.reset();
      cancelOneOnChain.mutation.mutate(order, {
        onSuccess: () => {
          setVoided((before) => new Set(before).add(order.hash));
          toast.show({ kind: "success", title: t("account.cancelledOnChainOne", { order: summary }) });
        },
      });
    },
  };

  const cancelAllButton = (
    <button
      type="button"
      className="button button--small"
      onClick={() =>
        cancelAll.mutate(undefined, {
          onSuccess: (answer) => toast.show(bulkCancelNotice(answer, t)),
        })
      }
      disabled={nothingToCancel || cancelAll.isPending}
    >
      {cancelAll.isPending ? t("account.cancellingAll") : t("account.cancelAll")}
    </button>
  );
  const cancelAllOnChainButton = (
    <button
      type="button"
      className="button button--small button--ghost"
      title={t("account.cancelAllOnChainHint")}
      aria-label={cancelAllOnChain.mutation.isPending ? undefined : t("account.cancelAllOnChain")}
      onClick={() => {
        cancelOneOnChain.mutation.reset();
        cancelAllOnChain.mutation.mutate(open.data ?? [], {
          onSuccess: () => {
            if (address) orderNonces(address).forget(); // the count may be below the new floor (another tab's)
            toast.show({ kind: "success", title: t("account.cancelledAllOnChain") });
          },
        });
      }}
      disabled={nothingToCancel || onChainBusy}
    >
      {cancelAllOnChain.mutation.isPending ? phaseText(cancelAllOnChain.phase) : t("account.allOnChainShort")}
    </button>
  );

  let panel;
  if (!address && tab !== "balances") panel = <p className="muted account-tabs__hint">{t("account.connectToSee")}</p>;
  else if (tab === "open") panel = <OpenOrdersTable markets={byName} onChain={rowOnChain} />;
  else if (tab === "history") panel = <OrderHistoryTable markets={byName} />;
  else if (tab === "fills") panel = <FillsTable markets={byName} />;
  else panel = <BalancesTable markets={markets} />;

  return (
    <section className="panel account-tabs" aria-label={t("account.title")}>
      <Tabs<Tab>
        label={t("account.title")}
        tabs={[
          { id: "open", label: t("account.tab.open") },
          { id: "history", label: t("account.tab.history") },
          { id: "fills", label: t("account.tab.fills") },
          { id: "balances", label: t("account.tab.balances") },
        ]}
        selected={tab}
        onSelect={setTab}
        actions={
          tab === "open" ? (
            <span className="account-tabs__actions">
              {cancelAllButton}
              {cancelAllOnChainButton}
            </span>
          ) : undefined
        }
      >
        <AccountError text={cancelAll.error ? tradingErrorText(cancelAll.error, t) : null} />
        <AccountError
          text={cancelAllOnChain.mutation.error ? onChainErrorText(cancelAllOnChain.mutation.error, t) : null}
        />
        {panel}
      </Tabs>
    </section>
  );
}
