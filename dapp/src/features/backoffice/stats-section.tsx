/**
 * "Statistics" for staff (stats.read): for a range of UTC days, daily / weekly / monthly active wallets (a
 * plot), the funnel connected -> signed in -> deposited -> traded of the wallets first seen in the range,
 * retention cohorts by the week of first trade, fee revenue (a plot and exact totals), deposits and
 * withdrawals per token, and CSV export links of every table for the range (each export is audit-logged).
 */
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { DailyChart, DataTable, Field, StatusMessage, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import {
  activeSeries,
  csvLink,
  feeSeries,
  feeTotals,
  funnelShares,
  lastDays,
  MAX_RANGE_DAYS,
  rangeProblem,
  retentionShares,
  STAFF_TABLES,
  weekColumns,
  type CohortRow,
  type DateRange,
  type FeeRow,
  type FunnelStep,
  type TokenDay,
  type UserDay,
} from "./stats-office";
import { staffHttp } from "./staff-api";
import { staffErrorText } from "./staff-errors";
import type { StaffMember } from "./staff-types";

interface TableAnswer<Row> {
  from: string;
  to: string;
  table: string;
  rows: Row[];
}

function useTable<Row>(table: string, range: DateRange, enabled: boolean) {
  return useQuery({
    queryKey: ["staff", "stats", table, range],
    queryFn: () => staffHttp.get<TableAnswer<Row>>(`/v1/staff/stats/${table}`, { from: range.from, to: range.to }),
    enabled,
  });
}

/** Says so under a chart or table whose answer came back without a row (not while it is read). */
function NoData({ answer }: { answer: TableAnswer<unknown> | undefined }) {
  const { t } = useI18n();
  return answer && answer.rows.length === 0 ? <StatusMessage kind="empty">{t("backoffice.stats.noData")}</StatusMessage> : null;
}

const STEP_NAMES: Record<FunnelStep["step"], MessageKey> = {
  seen: "stats.office.seen",
  connected: "stats.office.connected",
  signed_in: "stats.office.signedIn",
  deposited: "stats.office.deposited",
  traded: "stats.office.traded",
};

export function StatsSection(_props: { member: StaffMember }) {
  const { t, formatUnits, formatPercent } = useI18n();
  const ids = useId();
  const [draft, setDraft] = useState<DateRange>(() => lastDays(30, Date.now()));
  const problem = rangeProblem(draft);
  const range = useMemo(() => ({ from: draft.from, to: draft.to }), [draft.from, draft.to]);
  const ok = problem === null;
  const users = useTable<UserDay>("users", range, ok);
  const funnel = useTable<FunnelStep>("funnel", range, ok);
  const cohorts = useTable<CohortRow>("cohorts", range, ok);
  const fees = useTable<FeeRow>("fees", range, ok);
  const tokens = useTable<TokenDay>("tokens", range, ok);
  const active = useMemo(
    () => activeSeries(users.data?.rows ?? [], { dau: t("stats.office.dau"), wau: t("stats.office.wau"), mau: t("stats.office.mau") }),
    [users.data, t],
  );
  const revenue = useMemo(() => feeSeries(fees.data?.rows ?? []), [fees.data]);
  const error = users.error ?? funnel.error ?? cohorts.error ?? fees.error ?? tokens.error;
  const weeks = weekColumns(cohorts.data?.rows ?? []);

  const userColumns: Column<UserDay>[] = [
    { id: "day", header: t("stats.day"), cell: (r) => r.day, csv: (r) => r.day },
    ...(["newWallets", "dau", "wau", "mau", "connected", "signedIn", "deposited", "traded"] as const).map((key) => ({
      id: key,
      header: t(`stats.office.${key}` as MessageKey),
      cell: (r: UserDay) => r[key],
      csv: (r: UserDay) => String(r[key]),
      align: "end" as const,
    })),
  ];
  const tokenColumns: Column<TokenDay>[] = [
    { id: "day", header: t("stats.day"), cell: (r) => r.day },
    { id: "token", header: t("stats.office.token"), cell: (r) => r.symbol ?? r.token },
    { id: "deposits", header: t("stats.office.deposits"), cell: (r) => `${r.deposits} · ${formatUnits(r.depositAmount, r.decimals ?? 0, { maxFractionDigits: 4 })}`, align: "end" },
    { id: "withdrawals", header: t("stats.office.withdrawals"), cell: (r) => `${r.withdrawals} · ${formatUnits(r.withdrawalAmount, r.decimals ?? 0, { maxFractionDigits: 4 })}`, align: "end" },
    { id: "net", header: t("stats.office.netFlow"), cell: (r) => formatUnits(r.netFlow, r.decimals ?? 0, { maxFractionDigits: 4, signed: true }), align: "end" },
    { id: "locked", header: t("stats.office.valueLocked"), cell: (r) => (r.valueLocked === null ? "—" : formatUnits(r.valueLocked, r.decimals ?? 0, { maxFractionDigits: 4 })), align: "end" },
  ];

  return (
    // One column no wider than the screen (minmax(0, 1fr)): a grid item is otherwise as wide as its widest content,
    // and the nine-column table of wallets per day pushed the whole section to 700 px on a phone.
    <section style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr)", gap: "0.75rem" }}>
      <h2>{t("backoffice.stats.title")}</h2>
      <form style={{ display: "flex", flexWrap: "wrap", gap: "1rem" }} aria-label={t("stats.office.range")} onSubmit={(event) => event.preventDefault()}>
        <Field label={t("stats.office.from")} type="date" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} error={problem === "order" ? t("stats.office.orderProblem") : problem === "span" ? t("stats.office.spanProblem", { days: MAX_RANGE_DAYS }) : null} />
        <Field label={t("stats.office.to")} type="date" value={draft.to} onChange={(event) => setDraft({ ...draft, to: event.target.value })} error={problem === "date" ? t("stats.office.dateProblem") : null} />
      </form>
      {error ? <StatusMessage kind="error">{staffErrorText(error, t)}</StatusMessage> : null}

      <nav aria-label={t("stats.office.exports")} style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem" }}>
        <span>{t("stats.office.exportsLead")}</span>
        {STAFF_TABLES.map((table) =>
          ok ? (
            <a key={table} href={csvLink(table, range)} download>
              {t("stats.office.exportTable", { table: t(`stats.office.table.${table}`) })}
            </a>
          ) : null,
        )}
      </nav>

      <div style={{ display: "grid", gap: "1rem", gridTemplateColumns: "repeat(auto-fit, minmax(min(22rem, 100%), 1fr))" }}>
        <section aria-labelledby={`${ids}-active`}>
          <h3 id={`${ids}-active`}>{t("stats.office.activeWallets")}</h3>
          <DailyChart label={t("stats.office.activeWallets")} series={active} kind="line" />
          <NoData answer={users.data} />
        </section>
        <section aria-labelledby={`${ids}-fees`}>
          <h3 id={`${ids}-fees`}>{t("stats.office.feeRevenue")}</h3>
          <DailyChart label={t("stats.office.feeRevenue")} series={revenue} kind="histogram" />
          <NoData answer={fees.data} />
          <ul aria-label={t("stats.office.feeTotals")} className="stats-office__totals">
            {feeTotals(fees.data?.rows ?? []).map((total) => (
              <li key={total.symbol}>{`${formatUnits(total.total, total.decimals, { maxFractionDigits: 6 })} ${total.symbol}`}</li>
            ))}
          </ul>
        </section>
      </div>

      <h3>{t("stats.office.funnel")}</h3>
      <table className="stats-office__table" aria-label={t("stats.office.funnel")}>
        <thead>
          <tr>
            <th scope="col">{t("stats.office.step")}</th>
            <th scope="col">{t("stats.office.wallets")}</th>
            <th scope="col">{t("stats.office.share")}</th>
          </tr>
        </thead>
        <tbody>
          {funnelShares(funnel.data?.rows ?? []).map((step) => (
            <tr key={step.step}>
              <th scope="row">{t(STEP_NAMES[step.step])}</th>
              <td>{step.wallets}</td>
              <td>{formatPercent(step.share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <NoData answer={funnel.data} />

      <h3>{t("stats.office.cohorts")}</h3>
      {/* a column per week: the table scrolls in its own frame (focusable, so a keyboard scrolls it too) */}
      <div className="stats-office__scroll" role="region" aria-label={t("stats.office.cohorts")} tabIndex={0}>
        <table className="stats-office__table" aria-label={t("stats.office.cohorts")}>
          <thead>
            <tr>
              <th scope="col">{t("stats.office.week")}</th>
              <th scope="col">{t("stats.office.size")}</th>
              {Array.from({ length: weeks }, (_, week) => (
                <th scope="col" key={week}>
                  {t("stats.office.weekN", { week })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(cohorts.data?.rows ?? []).map((cohort) => (
              <tr key={cohort.week}>
                <th scope="row">{cohort.week}</th>
                <td>{cohort.size}</td>
                {retentionShares(cohort).map((share, week) => (
                  <td key={week}>{formatPercent(share)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <NoData answer={cohorts.data} />

      <h3>{t("stats.office.users")}</h3>
      <DataTable label={t("stats.office.users")} columns={userColumns} rows={users.data ? [...users.data.rows].reverse() : undefined} rowKey={(r) => r.day} loading={users.isPending} empty={t("backoffice.stats.noData")} />
      <h3>{t("stats.office.tokens")}</h3>
      <DataTable label={t("stats.office.tokens")} columns={tokenColumns} rows={tokens.data?.rows} rowKey={(r) => `${r.day}|${r.token}`} loading={tokens.isPending} empty={t("backoffice.stats.noData")} />
    </section>
  );
}
