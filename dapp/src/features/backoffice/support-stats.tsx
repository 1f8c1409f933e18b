/** "Statistics" of the support desk: per UTC day, tickets opened and resolved and the median times to first
 * response and to resolution (GET /v1/staff/support/stats), for a range of days (the last 30 by default). */
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Field, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { durationText } from "../support";
import { QueryTable } from "./query-table";
import { rangeOk, supportStaffApi, utcDay, type SupportDay } from "./support-desk";

export function SupportStats() {
  const { t, formatNumber } = useI18n();
  const ids = useId();
  const [from, setFrom] = useState(() => utcDay(Date.now(), 29));
  const [to, setTo] = useState(() => utcDay(Date.now()));
  const ok = rangeOk(from, to);
  const stats = useQuery({ queryKey: ["staff", "support", "stats", from, to], queryFn: () => supportStaffApi.stats(from, to), enabled: ok });
  // undefined until the range's figures arrive: the table then says it is loading, not that there are none
  const days = stats.data && [...stats.data.days].reverse();

  const columns: Column<SupportDay>[] = [
    { id: "day", header: t("supportDesk.col.day"), cell: (d) => d.day, csv: (d) => d.day },
    { id: "opened", header: t("supportDesk.col.opened"), cell: (d) => formatNumber(d.opened), csv: (d) => String(d.opened), align: "end" },
    { id: "resolved", header: t("supportDesk.col.resolved"), cell: (d) => formatNumber(d.resolved), csv: (d) => String(d.resolved), align: "end" },
    { id: "first", header: t("supportDesk.col.medianFirst"), cell: (d) => durationText(t, d.medianFirstResponseMs, "common.none"), csv: (d) => String(d.medianFirstResponseMs ?? "") },
    { id: "resolution", header: t("supportDesk.col.medianResolution"), cell: (d) => durationText(t, d.medianResolutionMs, "common.none"), csv: (d) => String(d.medianResolutionMs ?? "") },
  ];

  return (
    <section className="panel staff-detail" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("supportDesk.stats")}
      </h3>
      <div className="staff-detail__body">
        <div className="backoffice-section__filters">
          <Field label={t("supportDesk.statsFrom")} type="date" value={from} onChange={(event) => setFrom(event.target.value)} error={ok ? null : t("supportDesk.problem.range")} />
          <Field label={t("supportDesk.statsTo")} type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        </div>
        <QueryTable
          label={t("supportDesk.stats")}
          columns={columns}
          rows={ok ? days : []}
          rowKey={(d) => d.day}
          query={stats}
          empty={t("supportDesk.statsEmpty")}
          csvFileName={`support-${from}-${to}.csv`}
        />
      </div>
    </section>
  );
}
