/**
 * The account panel: tabs "Open orders", "Order history", "Fills" and "Balances"; "Cancel all" signs
 * one bulk cancel for every open order of the wallet, in every market; "Cancel all on-chain" voids them on the
 * contract itself (./on-chain-cancel).
 */
import { useMemo, useState } from "react";
import { Tabs, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { BalancesTable } from "../balances";
import { tradingErrorText } from "../order-form";
import { useWallet } from "../wallet";
import { AccountError } from "./account-error";
import { useAccountOpenOrders } from "./account-orders";
import { useCancelAll } from "./cancels";
import { useCancelAllOnChain } from "./on-chain-cancel";
import { FillsTable } from "./fills-table";
import { OpenOrdersTable, OrderHistoryTable } from "./order-tables";
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
  const toast = useToast();
  const nothingToCancel = !address || wrongChain || !open.data?.length;

  const cancelAllButton = (
    <button
      type="button"
      className="button button--small"
      onClick={() =>
        cancelAll.mutate(undefined, {
          onSuccess: ({ cancelled }) => toast.show({ kind: "success", title: t("account.cancelledAll", { count: cancelled.length }) }),
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
      onClick={() =>
        cancelAllOnChain.mutate(undefined, {
          onSuccess: () => toast.show({ kind: "success", title: t("account.cancelledAllOnChain") }),
        })
      }
      disabled={nothingToCancel || cancelAllOnChain.isPending}
    >
      {cancelAllOnChain.isPending ? t("account.cancellingAll") : t("account.cancelAllOnChain")}
    </button>
  );

  let panel;
  if (!address && tab !== "balances") panel = <p className="muted account-tabs__hint">{t("account.connectToSee")}</p>;
  else if (tab === "open") panel = <OpenOrdersTable markets={byName} />;
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
        <AccountError text={cancelAllOnChain.error ? errorText(cancelAllOnChain.error, t) : null} />
        {panel}
      </Tabs>
    </section>
  );
}
