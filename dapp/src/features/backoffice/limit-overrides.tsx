/**
 * "Limit overrides": staff set a wallet's withdrawal and order limits in the reference token (empty =
 * the level's default), with the reason the audit log keeps. The answer is the wallet's new limits.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, useToast } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { Limits } from "../account";
import { OVERRIDE_FIELDS, overrideBody, overrideForm, type OverrideField, type OverrideForm, type Problem } from "./forms";
import { ReasonField } from "./reason-field";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { UserDetail } from "./staff-types";

const FIELD_NAMES: Record<OverrideField, MessageKey> = {
  withdrawalDaily: "backoffice.limits.withdrawalDaily",
  withdrawal30d: "backoffice.limits.withdrawal30d",
  maxOrderNotional: "backoffice.limits.maxOrderNotional",
};

export function LimitOverrides({ address, limits }: { address: string; limits: Limits }) {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { decimals, symbol } = limits.reference;
  const [form, setForm] = useState<OverrideForm>(() => overrideForm(limits.limits, limits.overridden, decimals));
  const [problems, setProblems] = useState<Partial<Record<OverrideField | "reason", Problem>>>({});
  const save = useMutation({
    mutationFn: (body: Parameters<typeof staffApi.overrideLimits>[1]) => staffApi.overrideLimits(address, body),
    onSuccess: (updated) => {
      const key = ["staff", "users", "detail", address];
      queryClient.setQueryData<UserDetail>(key, (detail) => (detail ? { ...detail, limits: updated } : detail));
      setForm(overrideForm(updated.limits, updated.overridden, updated.reference.decimals));
      toast.show({ kind: "success", title: t("backoffice.limits.saved") });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const result = overrideBody(form, decimals);
    if (!result.ok) {
      setProblems(result.problems);
      return;
    }
    setProblems({});
    save.mutate(result.body);
  }

  const say = (problem: Problem | undefined) => (problem ? t(problem.key, problem.params) : null);
  return (
    <form className="staff-form" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h4 id={`${ids}-title`}>{t("backoffice.limits.title")}</h4>
      <p className="muted">{t("backoffice.limits.hint")}</p>
      <div className="staff-form__row">
        {OVERRIDE_FIELDS.map((field) => (
          <Field
            key={field}
            label={t(FIELD_NAMES[field])}
            inputMode="decimal"
            autoComplete="off"
            placeholder={t("backoffice.limits.default")}
            suffix={symbol}
            value={form[field]}
            onChange={(event) => setForm({ ...form, [field]: event.target.value })}
            error={say(problems[field])}
          />
        ))}
      </div>
      <ReasonField value={form.reason} onChange={(reason) => setForm({ ...form, reason })} error={say(problems.reason)} />
      <div className="staff-card__actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {t("backoffice.limits.save")}
        </button>
      </div>
      <StaffErrorAlert error={save.error} />
    </form>
  );
}
