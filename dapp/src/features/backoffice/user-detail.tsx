/**
 * One user as staff see them: profile, level and limits (with overrides for those who may), and their
 * balances, orders, fills, deposits, withdrawals and screening decisions, one tab each.
 */
import { useQuery } from "@tanstack/react-query";
import { Suspense, useId, useState } from "react";
import { DataTable, StatusMessage, Tabs, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { countryName } from "../../lib/countries";
import { formatBaseAmount, formatPrice } from "../../lib/market";
import { loadError } from "../../lib/query-client";
import { LimitsSummary } from "../account";
import { useMarkets } from "../markets";
import { LimitOverrides } from "./limit-overrides";
import { can } from "./permissions";
import { staffApi } from "./staff-api";
import { staffErrorText } from "./staff-errors";
import { useTokenUnits } from "./token-units";
import type { ScreeningDecision, StaffMember, UserBalance, UserDeposit, UserDetail, UserFill, UserOrder, UserWithdrawal } from "./staff-types";

type RecordTab = "balances" | "orders" | "fills" | "deposits" | "withdrawals" | "screening";

export function UserDetailView({ address, member }: { address: string; member: StaffMember }) {
  const { t, locale } = useI18n();
  const ids = useId();
  const detail = useQuery({ queryKey: ["staff", "users", "detail", address], queryFn: () => staffApi.user(address) });

  const failed = loadError(detail);
  if (failed) return <StatusMessage kind="error">{staffErrorText(failed, t)}</StatusMessage>;
  if (!detail.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  const { profile, limits } = detail.data;

  return (
    <article className="panel staff-detail" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("backoffice.users.detail", { address: profile.address })}
      </h3>
      <div className="staff-detail__body">
        <dl className="facts">
          <dt>{t("backoffice.col.email")}</dt>
          <dd>
            {profile.email ?? t("common.none")}{" "}
            {profile.email ? <span className="muted">({profile.emailVerified ? t("backoffice.users.emailVerified") : t("backoffice.users.emailUnverified")})</span> : null}
          </dd>
          <dt>{t("profile.country")}</dt>
          <dd>
            {profile.country ? `${countryName(profile.country, locale)} (${profile.country})` : t("common.none")}
            {profile.countryRestricted ? <strong className="sell-text"> {t("backoffice.users.restricted")}</strong> : null}
            {profile.identityCountryRestricted ? (
              <strong className="sell-text"> {t("backoffice.users.identityRestricted")}</strong>
            ) : null}
          </dd>
          <dt>{t("kyc.col.level")}</dt>
          <dd>{t("kyc.levelName", { level: profile.level })}</dd>
        </dl>
        <h4>{t("limits.title")}</h4>
        {limits ? (
          <>
            <Suspense fallback={<StatusMessage kind="loading">{t("common.loading")}</StatusMessage>}>
              <LimitsSummary limits={limits} />
            </Suspense>
            {can(member, "limits.override") ? <LimitOverrides address={profile.address} limits={limits} /> : null}
          </>
        ) : (
          <p className="muted">{t("backoffice.users.noLimits")}</p>
        )}
        <UserRecords detail={detail.data} />
      </div>
    </article>
  );
}

function UserRecords({ detail }: { detail: UserDetail }) {
  const { t, locale, formatDateTime } = useI18n();
  const [tab, setTab] = useState<RecordTab>("balances");
  const markets = useMarkets();
  const marketOf = (name: string) => markets.data?.find((market) => market.name === name);
  const units = useTokenUnits();

  const balances: Column<UserBalance>[] = [
    { id: "token", header: t("backoffice.col.token"), cell: (b) => b.symbol ?? b.token },
    { id: "total", header: t("backoffice.col.total"), align: "end", cell: (b) => units(b.total, b.decimals, b.symbol) },
    { id: "available", header: t("backoffice.col.available"), align: "end", cell: (b) => units(b.available, b.decimals, b.symbol) },
  ];
  const orders: Column<UserOrder>[] = [
    { id: "time", header: t("account.col.time"), cell: (o) => formatDateTime(o.createdAt) },
    { id: "market", header: t("account.col.market"), cell: (o) => o.market },
    { id: "side", header: t("account.col.side"), cell: (o) => o.side },
    { id: "status", header: t("account.col.status"), cell: (o) => o.status },
    { id: "hash", header: t("backoffice.col.hash"), cell: (o) => <code title={o.hash}>{o.hash.slice(0, 10)}…</code> },
  ];
  const fills: Column<UserFill>[] = [
    { id: "time", header: t("account.col.time"), cell: (f) => formatDateTime(f.time) },
    { id: "market", header: t("account.col.market"), cell: (f) => f.market },
    { id: "side", header: t("account.col.side"), cell: (f) => f.side ?? t("common.none") },
    {
      id: "price",
      header: t("account.col.price"),
      align: "end",
      cell: (f) => {
        const market = marketOf(f.market);
        return market ? formatPrice(f.price, market, locale) : f.price;
      },
    },
    {
      id: "amount",
      header: t("account.col.amount"),
      align: "end",
      cell: (f) => {
        const market = marketOf(f.market);
        return market ? `${formatBaseAmount(f.baseAmount, market, locale)} ${market.baseToken.symbol}` : f.baseAmount;
      },
    },
    { id: "status", header: t("account.col.status"), cell: (f) => f.status ?? t("common.none") },
  ];
  const deposits: Column<UserDeposit>[] = [
    { id: "time", header: t("account.col.time"), cell: (d) => formatDateTime(d.seenAt) },
    { id: "amount", header: t("account.col.amount"), align: "end", cell: (d) => units(d.amount, d.decimals, d.symbol) },
    { id: "status", header: t("account.col.status"), cell: (d) => d.status },
    { id: "tx", header: t("backoffice.col.hash"), cell: (d) => <code title={d.txHash}>{d.txHash.slice(0, 10)}…</code> },
  ];
  const withdrawals: Column<UserWithdrawal>[] = [
    { id: "time", header: t("account.col.time"), cell: (w) => formatDateTime(w.createdAt) },
    { id: "amount", header: t("account.col.amount"), align: "end", cell: (w) => units(w.amount, w.decimals, w.symbol) },
    { id: "status", header: t("account.col.status"), cell: (w) => (w.failure ? `${w.status}: ${w.failure}` : w.status) },
    { id: "hash", header: t("backoffice.col.hash"), cell: (w) => <code title={w.hash}>{w.hash.slice(0, 10)}…</code> },
  ];
  const screening: Column<ScreeningDecision>[] = [
    { id: "time", header: t("account.col.time"), cell: (s) => formatDateTime(s.at) },
    { id: "address", header: t("backoffice.col.wallet"), cell: (s) => <code>{s.address}</code> },
    { id: "decision", header: t("backoffice.col.decision"), cell: (s) => s.decision },
    { id: "context", header: t("backoffice.col.context"), cell: (s) => s.context },
    { id: "reason", header: t("kyc.col.reason"), cell: (s) => <span className="cell-wrap">{s.reason ?? t("common.none")}</span> },
  ];

  const table = {
    balances: <DataTable label={t("account.tab.balances")} columns={balances} rows={detail.balances} rowKey={(b) => b.token} empty={t("backoffice.users.noRecords")} height={240} />,
    orders: <DataTable label={t("backoffice.users.orders")} columns={orders} rows={detail.orders} rowKey={(o) => o.hash} empty={t("backoffice.users.noRecords")} height={240} />,
    fills: <DataTable label={t("account.tab.fills")} columns={fills} rows={detail.fills} rowKey={(f) => f.id} empty={t("backoffice.users.noRecords")} height={240} />,
    deposits: <DataTable label={t("backoffice.users.deposits")} columns={deposits} rows={detail.deposits} rowKey={(d) => d.id} empty={t("backoffice.users.noRecords")} height={240} />,
    withdrawals: <DataTable label={t("backoffice.users.withdrawals")} columns={withdrawals} rows={detail.withdrawals} rowKey={(w) => w.hash} empty={t("backoffice.users.noRecords")} height={240} />,
    screening: <DataTable label={t("backoffice.users.screening")} columns={screening} rows={detail.screening} rowKey={(s) => `${s.address}-${s.at}`} empty={t("backoffice.users.noRecords")} height={240} />,
  }[tab];

  return (
    <Tabs<RecordTab>
      label={t("backoffice.users.records")}
      tabs={[
        { id: "balances", label: t("account.tab.balances") },
        { id: "orders", label: t("backoffice.users.orders") },
        { id: "fills", label: t("account.tab.fills") },
        { id: "deposits", label: t("backoffice.users.deposits") },
        { id: "withdrawals", label: t("backoffice.users.withdrawals") },
        { id: "screening", label: t("backoffice.users.screening") },
      ]}
      selected={tab}
      onSelect={setTab}
    >
      {table}
    </Tabs>
  );
}
