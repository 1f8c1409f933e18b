/**
 * "Market risk": per market its bands, breaker and limits, and its risk halt (why, since when, time left),
 * live from /v1/markets and the `markets` stream; a withdrawal pause (a ledger difference) as a banner.
 * Staff with risk.manage edit the settings (./risk-settings-form), end a halt early and resume withdrawals
 * (the settings and the resumption with the reason the audit log keeps); everyone else reads.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Dialog, useToast, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { Market, MarketHalt } from "../../lib/api-types";
import { formatPrice } from "../../lib/market";
import { loadError } from "../../lib/query-client";
import { marketsQuery, useMarkets } from "../markets";
import { can } from "./permissions";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { timeLeft } from "./risk-forms";
import { RiskSettingsForm } from "./risk-settings-form";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { StaffMember } from "./staff-types";

export const HALT_KIND_NAMES: Record<MarketHalt["kind"], MessageKey> = {
  breaker: "backoffice.risk.haltKind.breaker",
  feed: "backoffice.risk.haltKind.feed",
  staff: "backoffice.risk.haltKind.staff",
};

/** The time now, every second while mounted (for "time left"). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function RiskSection({ member }: { member: StaffMember }) {
  const { t, locale, formatDateTime } = useI18n();
  const now = useNow();
  const manage = can(member, "risk.manage");
  const markets = useMarkets();
  const [editing, setEditing] = useState<string | null>(null);
  const [ending, setEnding] = useState<string | null>(null);
  const none = t("common.none");
  const bps = (value: number | null | undefined) => (value === null || value === undefined ? none : t("backoffice.risk.bpsValue", { bps: value }));

  const columns: Column<Market>[] = [
    { id: "market", header: t("account.col.market"), cell: (m) => m.name },
    { id: "state", header: t("market.stateLabel"), cell: (m) => <span className={`market-state market-state--${m.state}`}>{t(`market.state.${m.state}`)}</span> },
    {
      id: "halt",
      header: t("backoffice.risk.halt"),
      cell: (m) =>
        m.halt ? (
          <span className="cell-wrap">
            {t("backoffice.risk.haltText", {
              kind: t(HALT_KIND_NAMES[m.halt.kind]),
              reason: m.halt.reason,
              since: formatDateTime(m.halt.haltedAt),
            })}{" "}
            {m.halt.until !== null ? t("backoffice.risk.haltLeft", { until: formatDateTime(m.halt.until), left: timeLeft(m.halt.until, now) }) : null}
          </span>
        ) : (
          t("backoffice.risk.noHalt")
        ),
    },
    { id: "reference", header: t("backoffice.risk.reference"), cell: (m) => (m.risk?.reference ? formatPrice(m.risk.reference, m, locale) : none) },
    { id: "band", header: t("backoffice.risk.bandBps"), cell: (m) => bps(m.risk?.bandBps) },
    { id: "breaker", header: t("backoffice.risk.breakerBps"), cell: (m) => bps(m.risk?.breakerBps) },
    { id: "alert", header: t("backoffice.risk.alertBps"), cell: (m) => bps(m.risk?.alertBps) },
    {
      id: "actions",
      header: t("kyc.col.action"),
      cell: (m) =>
        manage ? (
          <span className="staff-card__actions">
            <button
              type="button"
              className="button button--small"
              aria-pressed={editing === m.name}
              aria-label={t("backoffice.risk.editNamed", { market: m.name })}
              onClick={() => setEditing(m.name)}
            >
              {t("backoffice.risk.edit")}
            </button>
            {m.halt ? (
              <button
                type="button"
                className="button button--small button--sell"
                aria-label={t("backoffice.rowAction", { action: t("backoffice.risk.endHalt"), row: m.name })}
                onClick={() => setEnding(m.name)}
              >
                {t("backoffice.risk.endHalt")}
              </button>
            ) : null}
          </span>
        ) : (
          t("common.none")
        ),
    },
  ];
  const editedMarket = markets.data?.find((m) => m.name === editing) ?? null;

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.risk.title")}</h2>
      <WithdrawalPauseBanner manage={manage} />
      <QueryTable
        label={t("backoffice.risk.markets")}
        columns={columns}
        rows={markets.data}
        rowKey={(m) => m.name}
        query={markets}
        empty={t("market.none")}
      />
      {editedMarket && manage ? <RiskSettingsForm key={editedMarket.name} market={editedMarket} onDone={() => setEditing(null)} /> : null}
      <EndHaltDialog market={ending} onClose={() => setEnding(null)} />
    </section>
  );
}

/** "End halt": the market takes orders again now, before its cool-down ends (audit-logged by the server). */
function EndHaltDialog({ market, onClose }: { market: string | null; onClose(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const end = useMutation({
    mutationFn: (name: string) => staffApi.endHalt(name),
    onSuccess: (_answer, name) => {
      void queryClient.invalidateQueries({ queryKey: marketsQuery.queryKey });
      void queryClient.invalidateQueries({ queryKey: ["staff", "risk"] });
      toast.show({ kind: "success", title: t("backoffice.risk.haltEnded", { market: name }) });
      onClose();
    },
  });
  function close() {
    end.reset();
    onClose();
  }
  return (
    <Dialog
      open={market !== null}
      title={market ? t("backoffice.risk.endHaltTitle", { market }) : ""}
      onClose={close}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            {t("common.cancel")}
          </button>
          <button type="button" className="button button--sell" disabled={end.isPending} onClick={() => market && end.mutate(market)}>
            {t("backoffice.risk.endHalt")}
          </button>
        </>
      }
    >
      <p>{market ? t("backoffice.risk.endHaltText", { market }) : null}</p>
      <StaffErrorAlert error={end.error} />
    </Dialog>
  );
}

/** Withdrawals paused by a ledger difference: why, since when, and (risk.manage) "Resume withdrawals". */
function WithdrawalPauseBanner({ manage }: { manage: boolean }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [resuming, setResuming] = useState(false);
  const pause = useQuery({ queryKey: ["staff", "risk", "withdrawals"], queryFn: staffApi.withdrawalPause, refetchInterval: 15_000 });
  const resume = useMutation({
    mutationFn: (reason: string) => staffApi.resumeWithdrawals(reason),
    onSuccess: () => {
      setResuming(false);
      void queryClient.invalidateQueries({ queryKey: ["staff", "risk", "withdrawals"] });
      toast.show({ kind: "success", title: t("backoffice.risk.withdrawalsResumed") });
    },
  });

  const pauseFailed = loadError(pause);
  if (pauseFailed) return <StaffErrorAlert error={pauseFailed} />;
  if (!pause.data) return null;
  if (!pause.data.paused) return <p className="muted">{t("backoffice.risk.withdrawalsRunning")}</p>;
  return (
    <>
    <div className="banner banner--warning risk-pause" role="alert">
      <p>
        <strong>{t("backoffice.risk.withdrawalsPaused")}</strong>
      </p>
      <ul>
        {pause.data.pauses.map((entry) => (
          <li key={entry.id} className="cell-wrap">
            {t("backoffice.risk.pauseEntry", { reason: entry.reason, since: formatDateTime(entry.raisedAt) })}
          </li>
        ))}
      </ul>
      {manage ? (
        <button type="button" className="button button--small" onClick={() => setResuming(true)}>
          {t("backoffice.risk.resumeWithdrawals")}
        </button>
      ) : null}
    </div>
      <ReasonDialog
        key={resuming ? "resuming" : "idle"}
        open={resuming}
        title={t("backoffice.risk.resumeTitle")}
        confirm={t("backoffice.risk.resumeWithdrawals")}
        pending={resume.isPending}
        error={resume.error}
        onConfirm={(reason) => resume.mutate(reason)}
        onClose={() => {
          setResuming(false);
          resume.reset();
        }}
      >
        <p>{t("backoffice.risk.resumeText")}</p>
      </ReasonDialog>
    </>
  );
}
