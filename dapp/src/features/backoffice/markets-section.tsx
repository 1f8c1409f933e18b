/**
 * "Markets": each market's state, and the switches staff with market.state use: halt (no orders, no
 * cancels matched), cancel-only (cancels only), resume (open). Each asks for a reason and a confirmation.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useToast, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { marketsQuery, useMarkets } from "../markets";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { staffApi } from "./staff-api";
import type { MarketStateName } from "./staff-types";

interface Switch {
  to: MarketStateName;
  button: MessageKey;
  title: MessageKey;
  text: MessageKey;
  done: MessageKey;
}

const SWITCHES: readonly Switch[] = [
  { to: "halted", button: "backoffice.markets.halt", title: "backoffice.markets.haltTitle", text: "backoffice.markets.haltText", done: "backoffice.markets.halted" },
  { to: "cancel_only", button: "backoffice.markets.cancelOnly", title: "backoffice.markets.cancelOnlyTitle", text: "backoffice.markets.cancelOnlyText", done: "backoffice.markets.cancelOnlyDone" },
  { to: "open", button: "backoffice.markets.resume", title: "backoffice.markets.resumeTitle", text: "backoffice.markets.resumeText", done: "backoffice.markets.resumed" },
];

export function MarketsSection() {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const markets = useMarkets();
  const [pending, setPending] = useState<{ market: string; change: Switch } | null>(null);
  const apply = useMutation({
    mutationFn: ({ market, to, reason }: { market: string; to: MarketStateName; reason: string }) => staffApi.setMarketState(market, to, reason),
    onSuccess: (market) => {
      const change = pending?.change;
      setPending(null);
      queryClient.setQueryData<Market[]>(marketsQuery.queryKey, (list) => list?.map((m) => (m.name === market.name ? market : m)));
      void queryClient.invalidateQueries({ queryKey: marketsQuery.queryKey });
      if (change) toast.show({ kind: "success", title: t(change.done, { market: market.name }) });
    },
  });

  const columns: Column<Market>[] = [
    { id: "market", header: t("account.col.market"), cell: (m) => m.name },
    { id: "state", header: t("market.stateLabel"), cell: (m) => <span className={`market-state market-state--${m.state}`}>{t(`market.state.${m.state}`)}</span> },
    {
      id: "actions",
      header: t("kyc.col.action"),
      cell: (m) => (
        <span className="staff-card__actions">
          {SWITCHES.map((change) => (
            <button
              key={change.to}
              type="button"
              className={`button button--small ${change.to === "halted" ? "button--sell" : ""}`}
              disabled={m.state === change.to}
              aria-label={t("backoffice.rowAction", { action: t(change.button), row: m.name })}
              onClick={() => setPending({ market: m.name, change })}
            >
              {t(change.button)}
            </button>
          ))}
        </span>
      ),
    },
  ];

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.markets.title")}</h2>
      <QueryTable
        label={t("backoffice.markets.title")}
        columns={columns}
        rows={markets.data}
        rowKey={(m) => m.name}
        query={markets}
        empty={t("market.none")}
      />
      <ReasonDialog
        key={pending ? `${pending.market}-${pending.change.to}` : ""}
        open={pending !== null}
        title={pending ? t(pending.change.title, { market: pending.market }) : ""}
        confirm={t("backoffice.confirm")}
        danger={pending?.change.to !== "open"}
        pending={apply.isPending}
        error={apply.error}
        onConfirm={(reason) => pending && apply.mutate({ market: pending.market, to: pending.change.to, reason })}
        onClose={() => {
          setPending(null);
          apply.reset();
        }}
      >
        <p>{pending ? t(pending.change.text, { market: pending.market }) : null}</p>
      </ReasonDialog>
    </section>
  );
}
