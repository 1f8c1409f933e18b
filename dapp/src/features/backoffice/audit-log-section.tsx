/**
 * "Audit log": every staff action and every change of a user's level, limits, deny-list entry or market
 * state, newest first, filtered by actor, action (or its first parts), target and time range, paged. Before and after are shown as
 * JSON text (never markup).
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, LoadMore, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { auditQuery, EMPTY_AUDIT_FILTER, type AuditFilterForm, type AuditQuery, type Problem } from "./forms";
import { QueryTable } from "./query-table";
import { staffApi } from "./staff-api";
import type { AuditEntry } from "./staff-types";

export function AuditLogSection() {
  const { t, formatDateTime, timeZone } = useI18n();
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_AUDIT_FILTER);
  const [applied, setApplied] = useState<AuditQuery>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [shown, setShown] = useState<AuditEntry | null>(null);
  const log = useInfiniteQuery({
    queryKey: ["staff", "audit", applied],
    queryFn: ({ pageParam }) => staffApi.auditLog(applied, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    const result = auditQuery(form);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setProblem(null);
    setShown(null);
    setApplied(result.query);
  }

  function clear() {
    setForm(EMPTY_AUDIT_FILTER);
    setProblem(null);
    setShown(null);
    setApplied({});
  }

  const columns: Column<AuditEntry>[] = [
    { id: "seq", header: t("backoffice.audit.seq"), align: "end", cell: (e) => e.seq, csv: (e) => String(e.seq) },
    { id: "at", header: t("account.col.time"), cell: (e) => formatDateTime(e.at), csv: (e) => new Date(e.at).toISOString() },
    { id: "actor", header: t("backoffice.audit.actor"), cell: (e) => e.actor, csv: (e) => e.actor },
    { id: "action", header: t("backoffice.audit.action"), cell: (e) => <code>{e.action}</code>, csv: (e) => e.action },
    { id: "target", header: t("backoffice.audit.target"), cell: (e) => e.target ?? t("common.none"), csv: (e) => e.target ?? "" },
    { id: "ip", header: t("backoffice.audit.ip"), cell: (e) => e.ip ?? t("common.none"), csv: (e) => e.ip ?? "" },
    {
      id: "details",
      header: t("backoffice.audit.details"),
      cell: (e) => (
        <button type="button" className="button button--small" onClick={() => setShown(e)} aria-pressed={shown?.seq === e.seq}>
          {t("backoffice.audit.show", { seq: e.seq })}
        </button>
      ),
    },
  ];
  const set = (field: keyof AuditFilterForm) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.audit.title")}</h2>
      <form className="backoffice-section__filters" onSubmit={apply} noValidate aria-label={t("backoffice.audit.filters")}>
        <Field label={t("backoffice.audit.actor")} placeholder="name@hdex.example" hint={t("backoffice.audit.actorHint")} value={form.actor} maxLength={320} onChange={set("actor")} />
        <Field label={t("backoffice.audit.action")} placeholder="case" hint={t("backoffice.audit.actionHint")} value={form.action} maxLength={64} onChange={set("action")} />
        <Field label={t("backoffice.audit.target")} placeholder="case:12" hint={t("backoffice.audit.targetHint")} value={form.target} maxLength={320} onChange={set("target")} />
        <Field label={t("backoffice.audit.from", { zone: timeZone })} type="datetime-local" value={form.from} onChange={set("from")} />
        <Field
          label={t("backoffice.audit.to", { zone: timeZone })}
          type="datetime-local"
          value={form.to}
          onChange={set("to")}
          error={problem ? t(problem.key, problem.params) : null}
        />
        <div className="staff-card__actions">
          <button type="submit" className="button button--primary">
            {t("backoffice.audit.apply")}
          </button>
          <button type="button" className="button button--ghost" onClick={clear}>
            {t("backoffice.audit.clear")}
          </button>
        </div>
      </form>
      <QueryTable
        label={t("backoffice.audit.title")}
        columns={columns}
        rows={log.data?.pages.flatMap((page) => page.entries)}
        rowKey={(e) => String(e.seq)}
        query={log}
        empty={t("backoffice.audit.empty")}
        csvFileName="hdex-audit-log.csv"
        height={420}
      />
      <LoadMore query={log} />
      {shown ? (
        <section className="panel staff-detail" aria-label={t("backoffice.audit.entry", { seq: shown.seq })}>
          <h3 className="panel__title">{t("backoffice.audit.entry", { seq: shown.seq })}</h3>
          <div className="staff-detail__body audit-entry">
            <h4>{t("backoffice.audit.before")}</h4>
            <pre>{JSON.stringify(shown.before, null, 2)}</pre>
            <h4>{t("backoffice.audit.after")}</h4>
            <pre>{JSON.stringify(shown.after, null, 2)}</pre>
            <p className="muted">
              {t("backoffice.audit.hash")} <code>{shown.hash}</code>
            </p>
          </div>
        </section>
      ) : null}
    </section>
  );
}
