/**
 * "Alerts": the alert store's alerts, newest first, live (Server-Sent Events, else refetched), filtered by
 * status, severity and kind. Staff with cases.manage select alerts and open a case from them, or close an
 * alert with the reason the audit log keeps.
 */
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useState } from "react";
import { csvTime, Dialog, Field, LoadMore, SelectField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { navigate, paths } from "../../lib/router";
import { useAlertStream } from "./alert-stream";
import { SeverityBadge, useKindName } from "./alert-words";
import {
  ALERT_KIND_NAMES,
  ALERT_KINDS,
  ALERT_SEVERITIES,
  ALERT_STATUS_NAMES,
  ALERT_STATUSES,
  alertQuery,
  caseTitleProblem,
  DEFAULT_ALERT_FILTER,
  MAX_CASE_TITLE_CHARS,
  mergeAlert,
  SEVERITY_NAMES,
  suggestedCaseTitle,
  type AlertFilter,
} from "./alerts";
import { selectedCase } from "./case-selection";
import { can } from "./permissions";
import { readTracker } from "./polled-queries";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { Alert, AlertPage, AlertSeverity, AlertStatus, StaffMember } from "./staff-types";

const POLL_MS = 10_000; // while the stream is down
const LIVE_REREAD_MS = 60_000; // while it is live

export function AlertsSection({ member }: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const kindName = useKindName();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<AlertFilter>(DEFAULT_ALERT_FILTER);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [dialog, setDialog] = useState<"case" | "close" | null>(null);
  const key = ["staff", "alerts", "list", filter];
  const manage = can(member, "cases.manage");

  const stream = useAlertStream(
    (alert) => {
      // Lists under other filters are read again when shown; the one on screen changes in place.
      void queryClient.invalidateQueries({ queryKey: ["staff", "alerts", "list"], refetchType: "none" });
      queryClient.setQueryData<InfiniteData<AlertPage, string | null>>(key, (data) => mergeAlert(data, alert, filter));
    },
    () => void queryClient.invalidateQueries({ queryKey: ["staff", "alerts", "list"] }),
  );
  // The first read of a list is the member's asking; reading it again (the poll while the stream is down) is not.
  const [polled] = useState(readTracker);
  const list = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => staffApi.alerts(alertQuery(filter), pageParam, polled([key, pageParam])),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    // Live, the stream brings new alerts; a slow read catches what it does not send (repeats of an alert, alerts
    // others closed or put in a case).
    refetchInterval: stream === "live" ? LIVE_REREAD_MS : POLL_MS,
  });
  const alerts = list.data?.pages.flatMap((page) => page.alerts) ?? [];
  const chosen = alerts.filter((alert) => selected.has(alert.id));
  // What the server takes: an alert in a case closes with its case, and neither it nor a closed one opens a new case.
  const free = chosen.filter((alert) => alert.status !== "closed" && alert.caseId === null);

  function toggle(id: number, on: boolean) {
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  function changeFilter(next: AlertFilter) {
    setFilter(next);
    setSelected(new Set());
  }

  const columns: Column<Alert>[] = [
    ...(manage
      ? [
          {
            id: "select",
            header: t("backoffice.alerts.col.select"),
            cell: (a: Alert) => (
              <input
                type="checkbox"
                checked={selected.has(a.id)}
                onChange={(event) => toggle(a.id, event.target.checked)}
                aria-label={t("backoffice.alerts.select", { id: a.id, message: a.message })}
              />
            ),
          },
        ]
      : []),
    { id: "id", header: t("backoffice.alerts.col.id"), cell: (a) => `#${a.id}`, csv: (a) => String(a.id) },
    { id: "raised", header: t("backoffice.alerts.col.raised"), cell: (a) => (a.createdAt ? formatDateTime(a.createdAt) : t("common.none")), csv: (a) => csvTime(a.createdAt) },
    { id: "severity", header: t("backoffice.alerts.col.severity"), cell: (a) => <SeverityBadge severity={a.severity} />, csv: (a) => a.severity },
    { id: "kind", header: t("backoffice.alerts.col.kind"), cell: (a) => kindName(a.kind), csv: (a) => a.kind },
    { id: "subject", header: t("backoffice.alerts.col.subject"), cell: (a) => (a.subject ? <code>{a.subject}</code> : t("common.none")), csv: (a) => a.subject ?? "" },
    { id: "message", header: t("backoffice.alerts.col.message"), cell: (a) => <span className="cell-wrap">{a.message}</span>, csv: (a) => a.message },
    { id: "occurrences", header: t("backoffice.alerts.col.occurrences"), cell: (a) => String(a.occurrences), csv: (a) => String(a.occurrences), align: "end" },
    { id: "status", header: t("backoffice.alerts.col.status"), cell: (a) => t(ALERT_STATUS_NAMES[a.status]), csv: (a) => a.status },
    {
      id: "case",
      header: t("backoffice.alerts.col.case"),
      cell: (a) =>
        a.caseId !== null ? (
          <button type="button" className="button button--small button--ghost" onClick={() => showCase(a.caseId as number)}>
            {t("backoffice.alerts.caseLink", { id: a.caseId })}
          </button>
        ) : (
          t("common.none")
        ),
      csv: (a) => (a.caseId !== null ? String(a.caseId) : ""),
    },
  ];

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.alerts.title")}</h2>
      <p className="muted" role="status">
        {t(stream === "live" ? "backoffice.alerts.live" : "backoffice.alerts.polling")}
      </p>
      <div className="backoffice-section__filters">
        <SelectField
          label={t("backoffice.alerts.statusFilter")}
          value={filter.status}
          onChange={(event) => changeFilter({ ...filter, status: event.target.value as AlertStatus | "" })}
          options={[["", t("backoffice.alerts.any")], ...ALERT_STATUSES.map((s) => [s, t(ALERT_STATUS_NAMES[s])] as const)]}
        />
        <SelectField
          label={t("backoffice.alerts.severityFilter")}
          value={filter.severity}
          onChange={(event) => changeFilter({ ...filter, severity: event.target.value as AlertSeverity | "" })}
          options={[["", t("backoffice.alerts.any")], ...ALERT_SEVERITIES.map((s) => [s, t(SEVERITY_NAMES[s])] as const)]}
        />
        <SelectField
          label={t("backoffice.alerts.kindFilter")}
          value={filter.kind}
          onChange={(event) => changeFilter({ ...filter, kind: event.target.value })}
          options={[["", t("backoffice.alerts.any")], ...ALERT_KINDS.map((k) => [k, t(ALERT_KIND_NAMES[k])] as const)]}
        />
      </div>
      {manage ? (
        <div className="staff-card__actions" role="group" aria-label={t("backoffice.alerts.actions")}>
          <span className="muted">{t("backoffice.alerts.selected", { count: chosen.length })}</span>
          <button type="button" className="button button--small button--primary" disabled={free.length === 0 || free.length !== chosen.length} onClick={() => setDialog("case")}>
            {t("backoffice.alerts.openCase")}
          </button>
          <button type="button" className="button button--small" disabled={free.length === 0} onClick={() => setDialog("close")}>
            {t("backoffice.alerts.close")}
          </button>
        </div>
      ) : null}
      <QueryTable
        label={t("backoffice.alerts.title")}
        columns={columns}
        rows={list.data ? alerts : undefined}
        rowKey={(a) => String(a.id)}
        query={list}
        empty={t("backoffice.alerts.empty")}
        csvFileName="alerts.csv"
      />
      <LoadMore query={list} />
      {dialog === "case" ? (
        <OpenCaseDialog
          alerts={chosen}
          suggestion={suggestedCaseTitle(chosen, kindName)}
          onClose={() => setDialog(null)}
          onOpened={(id) => {
            setDialog(null);
            setSelected(new Set());
            showCase(id);
          }}
        />
      ) : null}
      <CloseAlertsDialog
        open={dialog === "close"}
        alerts={free}
        onClose={() => setDialog(null)}
        onClosed={() => {
          setDialog(null);
          setSelected(new Set());
        }}
      />
    </section>
  );
}

/** Show one case in the Cases section. */
function showCase(id: number) {
  selectedCase.set(id);
  navigate(`${paths.backoffice}/cases`);
}

function OpenCaseDialog({ alerts, suggestion, onClose, onOpened }: { alerts: Alert[]; suggestion: string; onClose(): void; onOpened(id: number): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(suggestion);
  const [attempted, setAttempted] = useState(false);
  const problem = caseTitleProblem(title);
  const open = useMutation({
    mutationFn: () => staffApi.openCase(alerts.map((a) => a.id), title.trim()),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: ["staff", "alerts"] });
      void queryClient.invalidateQueries({ queryKey: ["staff", "cases"] });
      toast.show({ kind: "success", title: t("backoffice.cases.opened", { id: created.id }) });
      onOpened(created.id);
    },
  });

  return (
    <Dialog
      open
      title={t("backoffice.alerts.openCaseTitle", { count: alerts.length })}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={open.isPending}
            onClick={() => {
              setAttempted(true);
              if (!problem) open.mutate();
            }}
          >
            {t("backoffice.alerts.openCase")}
          </button>
        </>
      }
    >
      <div className="staff-form">
        <p>{t("backoffice.alerts.openCaseText", { ids: alerts.map((a) => `#${a.id}`).join(", ") })}</p>
        <Field
          label={t("backoffice.cases.caseTitle")}
          value={title}
          maxLength={MAX_CASE_TITLE_CHARS}
          autoComplete="off"
          onChange={(event) => setTitle(event.target.value)}
          error={attempted && problem ? t(problem.key, problem.params) : null}
        />
        <StaffErrorAlert error={open.error} />
      </div>
    </Dialog>
  );
}

function CloseAlertsDialog({ open, alerts, onClose, onClosed }: { open: boolean; alerts: Alert[]; onClose(): void; onClosed(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const close = useMutation({
    mutationFn: async (reason: string) => {
      for (const alert of alerts) await staffApi.closeAlert(alert.id, reason);
    },
    // Read again after a partial failure too: the alerts closed before it must not stay on screen as open.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ["staff", "alerts"] }),
    onSuccess: () => {
      toast.show({ kind: "success", title: t("backoffice.alerts.closed", { count: alerts.length }) });
      onClosed();
    },
  });
  return (
    <ReasonDialog
      key={open ? "open" : "closed"}
      open={open}
      title={t("backoffice.alerts.closeTitle", { count: alerts.length })}
      confirm={t("backoffice.alerts.close")}
      pending={close.isPending}
      error={close.error}
      onConfirm={(reason) => close.mutate(reason)}
      onClose={() => {
        close.reset();
        onClose();
      }}
    >
      <p>{t("backoffice.alerts.closeText", { ids: alerts.map((a) => `#${a.id}`).join(", ") })}</p>
    </ReasonDialog>
  );
}
