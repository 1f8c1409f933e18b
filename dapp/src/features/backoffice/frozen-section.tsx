/**
 * "Frozen deposits": deposits by blocked addresses, which the chain credited and HDEX froze off-chain, by state
 * (held first); staff with frozen.release release one with a reason. The server screens the wallet again before
 * it releases: a wallet still blocked stays frozen, and the refusal says why.
 */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { LoadMore, SelectField, useToast, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { CopyButton } from "./copy-button";
import { can } from "./permissions";
import { frozenQuery, readTracker } from "./polled-queries";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { staffApi } from "./staff-api";
import type { FrozenDeposit, FrozenState, StaffMember } from "./staff-types";
import { useTokenUnits } from "./token-units";

const KEY = ["staff", "frozen"];
type Filter = FrozenState | "all";
const FILTERS: readonly Filter[] = ["held", "released", "orphaned", "all"];
const FROZEN_STATE_NAMES: Record<FrozenState, MessageKey> = {
  held: "backoffice.frozen.state.held",
  released: "backoffice.frozen.state.released",
  orphaned: "backoffice.frozen.state.orphaned",
};
const FILTER_NAMES: Record<Filter, MessageKey> = { ...FROZEN_STATE_NAMES, all: "backoffice.frozen.state.all" };

export function FrozenSection({ member }: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const units = useTokenUnits();
  const release = can(member, "frozen.release");
  const [filter, setFilter] = useState<Filter>("held");
  const [releasing, setReleasing] = useState<FrozenDeposit | null>(null);
  const [polled] = useState(readTracker);
  const list = useInfiniteQuery(frozenQuery(filter, polled));
  const amountOf = (f: FrozenDeposit) => units(f.amount, f.decimals, f.symbol ?? f.token);
  const releaseOne = useMutation({
    mutationFn: ({ frozen, reason }: { frozen: FrozenDeposit; reason: string }) => staffApi.releaseFrozen(frozen.id, reason),
    onSuccess: (released) => {
      setReleasing(null);
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show({ kind: "success", title: t("backoffice.frozen.released", { amount: amountOf(released), wallet: released.wallet }) });
    },
  });

  const columns: Column<FrozenDeposit>[] = [
    { id: "at", header: t("backoffice.frozen.col.frozenAt"), cell: (f) => formatDateTime(f.frozenAt) },
    { id: "wallet", header: t("backoffice.col.wallet"), cell: (f) => <code>{f.wallet}</code> },
    { id: "amount", header: t("account.col.amount"), align: "end", cell: amountOf },
    { id: "reason", header: t("backoffice.frozen.col.why"), cell: (f) => <span className="cell-wrap">{f.reason}</span> },
    {
      id: "deposit",
      header: t("backoffice.frozen.col.deposit"),
      cell: (f) => (
        <span>
          <code title={f.txHash}>{`${f.txHash.slice(0, 10)}…`}</code> <CopyButton text={f.txHash} label={t("backoffice.frozen.copyHash", { hash: f.txHash })} />{" "}
          {t("backoffice.frozen.block", { block: f.blockNumber })}
        </span>
      ),
    },
    {
      id: "state",
      header: t("kyc.col.status"),
      cell: (f) =>
        f.state === "released" && f.releasedAt !== null ? (
          <span className="cell-wrap">
            {t("backoffice.frozen.releasedBy", { by: f.releasedBy ?? "", at: formatDateTime(f.releasedAt), reason: f.releaseReason ?? "" })}
          </span>
        ) : (
          t(FROZEN_STATE_NAMES[f.state])
        ),
    },
  ];
  if (release)
    columns.push({
      id: "action",
      header: t("kyc.col.action"),
      cell: (f) =>
        f.state === "held" ? (
          <button
            type="button"
            className="button button--small"
            aria-label={t("backoffice.frozen.releaseOne", { amount: amountOf(f), wallet: f.wallet })}
            onClick={() => setReleasing(f)}
          >
            {t("backoffice.frozen.release")}
          </button>
        ) : null,
    });

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.frozen.title")}</h2>
      <p className="muted">{t("backoffice.frozen.intro")}</p>
      <div className="backoffice-section__filters">
        <SelectField
          label={t("backoffice.frozen.filter")}
          value={filter}
          onChange={(event) => setFilter(event.target.value as Filter)}
          options={FILTERS.map((f) => [f, t(FILTER_NAMES[f])] as const)}
        />
      </div>
      <QueryTable
        label={t("backoffice.frozen.title")}
        columns={columns}
        rows={list.data?.pages.flatMap((page) => page.frozen)}
        rowKey={(f) => String(f.id)}
        query={list}
        empty={t("backoffice.frozen.empty")}
      />
      <LoadMore query={list} />
      <ReasonDialog
        key={releasing?.id ?? ""}
        open={releasing !== null}
        title={t("backoffice.frozen.releaseTitle", { amount: releasing ? amountOf(releasing) : "", wallet: releasing?.wallet ?? "" })}
        confirm={t("backoffice.frozen.confirmRelease")}
        pending={releaseOne.isPending}
        error={releaseOne.error}
        onConfirm={(reason) => releasing && releaseOne.mutate({ frozen: releasing, reason })}
        onClose={() => {
          setReleasing(null);
          releaseOne.reset();
        }}
      >
        <p>{t("backoffice.frozen.releaseText")}</p>
      </ReasonDialog>
    </section>
  );
}
