/**
 * The account panel: tabs "Open orders", "Order history", "Fills" and "Balances"; "Cancel all" signs
 * one bulk cancel for every open order of the wallet, in every market.
 */
import { useMemo, useState } from "react";
import { Tabs, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { BalancesTable } from "../balances";
import { tradingErrorText } from "../order-form";
import { useWallet } from "../wallet";
import { useAccountOpenOrders } from "./account-orders";
import { useCancelAll } from "./cancels";
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
  const toast = useToast();

  const cancelAllButton = (
    <button
      type="button"
      className="button button--small"
      onClick={() =>
        cancelAll.mutate(undefined, {
          onSuccess: ({ cancelled }) => toast.show({ kind: "success", title: t("account.cancelledAll", { count: cancelled.length }) }),
        })
      }
      disabled={!address || wrongChain || cancelAll.isPending || !open.data?.length}
    >
      {cancelAll.isPending ? t("account.cancellingAll") : t("account.cancelAll")}
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
        actions={tab === "open" ? cancelAllButton : undefined}
      >
        {cancelAll.error ? (
          <p className="form-error account-tabs__error" role="alert">
            {tradingErrorText(cancelAll.error, t)}
          </p>
        ) : null}
        {panel}
      </Tabs>
    </section>
  );
}
