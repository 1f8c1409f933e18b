/** "Staff": every staff account (staff.read); admins (staff.manage) invite new ones and disable accounts. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, SelectField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { can } from "./permissions";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { Role, StaffMember } from "./staff-types";

const KEY = ["staff", "accounts"];
const ROLES: readonly Role[] = ["admin", "compliance", "support", "auditor"];

export function StaffSection({ member }: { member: StaffMember }) {
  const { t, formatDate } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const manage = can(member, "staff.manage");
  const list = useQuery({ queryKey: KEY, queryFn: staffApi.staffList });
  const [disabling, setDisabling] = useState<StaffMember | null>(null);
  const disable = useMutation({
    mutationFn: ({ id, reason }: { id: number; reason: string }) => staffApi.disable(id, reason),
    onSuccess: (updated) => {
      setDisabling(null);
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show({ kind: "success", title: t("backoffice.staff.disabled", { email: updated.email }) });
    },
  });

  const columns: Column<StaffMember>[] = [
    { id: "email", header: t("backoffice.col.email"), cell: (s) => s.email },
    { id: "role", header: t("backoffice.staff.role"), cell: (s) => t(`backoffice.role.${s.role}`) },
    { id: "totp", header: t("backoffice.staff.totp"), cell: (s) => (s.totpEnrolled ? t("backoffice.yes") : t("backoffice.no")) },
    { id: "status", header: t("account.col.status"), cell: (s) => (s.disabled ? t("backoffice.staff.statusDisabled") : t("backoffice.staff.statusActive")) },
    { id: "since", header: t("backoffice.col.since"), cell: (s) => formatDate(s.createdAt) },
  ];
  if (manage)
    columns.push({
      id: "action",
      header: t("kyc.col.action"),
      cell: (s) =>
        s.disabled || s.id === member.id ? null : (
          <button
            type="button"
            className="button button--small"
            aria-label={t("backoffice.rowAction", { action: t("backoffice.staff.disable"), row: s.email })}
            onClick={() => setDisabling(s)}
          >
            {t("backoffice.staff.disable")}
          </button>
        ),
    });

  return (
    <section className="backoffice-section" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t("backoffice.staff.title")}</h2>
      {manage ? <InviteStaff /> : null}
      <QueryTable
        label={t("backoffice.staff.title")}
        columns={columns}
        rows={list.data?.staff}
        rowKey={(s) => String(s.id)}
        query={list}
        empty={t("backoffice.staff.empty")}
      />
      <ReasonDialog
        key={disabling?.id ?? 0}
        open={disabling !== null}
        title={t("backoffice.staff.disableTitle", { email: disabling?.email ?? "" })}
        confirm={t("backoffice.confirm")}
        danger
        pending={disable.isPending}
        error={disable.error}
        onConfirm={(reason) => disabling && disable.mutate({ id: disabling.id, reason })}
        onClose={() => {
          setDisabling(null);
          disable.reset();
        }}
      >
        <p>{t("backoffice.staff.disableText")}</p>
      </ReasonDialog>
    </section>
  );
}

function InviteStaff() {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("support");
  const [attempted, setAttempted] = useState(false);
  const invite = useMutation({
    mutationFn: () => staffApi.invite(email.trim(), role),
    onSuccess: (created) => {
      setEmail("");
      setAttempted(false);
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show(
        created.invitationMailed
          ? { kind: "success", title: t("backoffice.staff.invited", { email: created.email }) }
          : { kind: "error", title: t("backoffice.staff.invitedNotMailed", { email: created.email }) },
      );
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (email.trim()) invite.mutate();
  }

  return (
    <form className="staff-form staff-form--inline" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{t("backoffice.staff.inviteTitle")}</h3>
      <Field
        label={t("backoffice.signIn.email")}
        type="email"
        autoComplete="off"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        error={attempted && !email.trim() ? t("backoffice.signIn.emailRequired") : null}
      />
      <SelectField
        label={t("backoffice.staff.role")}
        value={role}
        onChange={(event) => setRole(event.target.value as Role)}
        options={ROLES.map((r) => [r, t(`backoffice.role.${r}`)] as const)}
      />
      <div className="staff-card__actions">
        <button type="submit" className="button button--primary" disabled={invite.isPending}>
          {t("backoffice.staff.invite")}
        </button>
      </div>
      <StaffErrorAlert error={invite.error} />
    </form>
  );
}
