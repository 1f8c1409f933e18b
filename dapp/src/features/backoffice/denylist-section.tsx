/** "Deny-list": wallets the exchange refuses, each with who added it, when and why; add and remove with a reason. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { addressProblem, reasonProblem } from "./forms";
import { can } from "./permissions";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { ReasonField } from "./reason-field";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { DenyEntry, StaffMember } from "./staff-types";

const KEY = ["staff", "denylist"];

export function DenylistSection({ member }: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const manage = can(member, "denylist.manage");
  const entries = useQuery({ queryKey: KEY, queryFn: staffApi.denylist });
  const [removing, setRemoving] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: ({ address, reason }: { address: string; reason: string }) => staffApi.undeny(address, reason),
    onSuccess: ({ removed }) => {
      setRemoving(null);
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show({ kind: "success", title: t("backoffice.denylist.removed", { address: removed }) });
    },
  });

  const columns: Column<DenyEntry>[] = [
    { id: "wallet", header: t("backoffice.col.wallet"), cell: (e) => <code>{e.address}</code> },
    { id: "reason", header: t("kyc.col.reason"), cell: (e) => <span className="cell-wrap">{e.reason}</span> },
    { id: "by", header: t("backoffice.col.by"), cell: (e) => e.addedBy },
    { id: "at", header: t("backoffice.col.at"), cell: (e) => formatDateTime(e.addedAt) },
  ];
  if (manage)
    columns.push({
      id: "action",
      header: t("kyc.col.action"),
      cell: (e) => (
        <button
          type="button"
          className="button button--small"
          aria-label={t("backoffice.rowAction", { action: t("backoffice.denylist.remove"), row: e.address })}
          onClick={() => setRemoving(e.address)}
        >
          {t("backoffice.denylist.remove")}
        </button>
      ),
    });

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.denylist.title")}</h2>
      {manage ? <AddToDenylist /> : null}
      <QueryTable
        label={t("backoffice.denylist.title")}
        columns={columns}
        rows={entries.data?.entries}
        rowKey={(e) => e.address}
        query={entries}
        empty={t("backoffice.denylist.empty")}
      />
      <ReasonDialog
        key={removing ?? ""}
        open={removing !== null}
        title={t("backoffice.denylist.removeTitle", { address: removing ?? "" })}
        confirm={t("backoffice.denylist.confirmRemove")}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={(reason) => removing && remove.mutate({ address: removing, reason })}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
      >
        <p>{t("backoffice.denylist.removeText")}</p>
      </ReasonDialog>
    </section>
  );
}

function AddToDenylist() {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [address, setAddress] = useState("");
  const [reason, setReason] = useState("");
  const [attempted, setAttempted] = useState(false);
  const add = useMutation({
    mutationFn: () => staffApi.deny(address.trim(), reason.trim()),
    onSuccess: (entry) => {
      setAddress("");
      setReason("");
      setAttempted(false);
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show({ kind: "success", title: t("backoffice.denylist.added", { address: entry.address }) });
    },
  });
  const addressError = addressProblem(address);
  const reasonError = reasonProblem(reason);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!addressError && !reasonError) add.mutate();
  }

  return (
    <form className="staff-form" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{t("backoffice.denylist.addTitle")}</h3>
      <Field
        label={t("backoffice.denylist.address")}
        autoComplete="off"
        spellCheck={false}
        value={address}
        onChange={(event) => setAddress(event.target.value)}
        error={attempted && addressError ? t(addressError.key) : null}
      />
      <ReasonField value={reason} onChange={setReason} error={attempted && reasonError ? t(reasonError.key, reasonError.params) : null} />
      <div className="staff-card__actions">
        <button type="submit" className="button button--sell" disabled={add.isPending}>
          {t("backoffice.denylist.add")}
        </button>
      </div>
      <StaffErrorAlert error={add.error} />
    </form>
  );
}
