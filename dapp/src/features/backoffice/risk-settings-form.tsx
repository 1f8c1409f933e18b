/**
 * One market's risk settings as GET /v1/staff/markets/{market}/risk reads them (permission risk.manage), in a
 * form that checks every field in words (./risk-forms) and saves the changed ones (PUT) with the reason the
 * audit log keeps.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, StatusMessage, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { formatPrice } from "../../lib/market";
import { loadError } from "../../lib/query-client";
import { marketsQuery } from "../markets";
import { ReasonField } from "./reason-field";
import {
  AMOUNT_FIELDS,
  amountToken,
  BPS_FIELDS,
  RISK_FIELD_NAMES,
  riskBody,
  riskForm,
  SECONDS_FIELDS,
  type RiskField,
  type RiskForm,
  type RiskProblems,
} from "./risk-forms";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import { staffErrorText } from "./staff-errors";
import type { StaffMarketRisk } from "./staff-types";

export function RiskSettingsForm({ market, onDone }: { market: Market; onDone(): void }) {
  const { t } = useI18n();
  const key = ["staff", "risk", "market", market.name];
  const current = useQuery({ queryKey: key, queryFn: () => staffApi.marketRisk(market.name) });
  const failed = loadError(current);
  if (failed) return <StatusMessage kind="error">{staffErrorText(failed, t)}</StatusMessage>;
  if (!current.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  return <Editor market={market} risk={current.data} onDone={onDone} />;
}

function Editor({ market, risk, onDone }: { market: Market; risk: StaffMarketRisk; onDone(): void }) {
  const { t, locale } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [initial] = useState<RiskForm>(() => riskForm(risk.settings, market));
  const [form, setForm] = useState<RiskForm>(initial);
  const [problems, setProblems] = useState<RiskProblems>({});
  const save = useMutation({
    mutationFn: (body: Parameters<typeof staffApi.setMarketRisk>[1]) => staffApi.setMarketRisk(market.name, body),
    onSuccess: (updated) => {
      queryClient.setQueryData(["staff", "risk", "market", market.name], updated);
      void queryClient.invalidateQueries({ queryKey: marketsQuery.queryKey });
      toast.show({ kind: "success", title: t("backoffice.risk.saved", { market: market.name }) });
      onDone();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const result = riskBody(form, market, initial);
    if (!result.ok) {
      setProblems(result.problems);
      return;
    }
    setProblems({});
    save.mutate(result.body);
  }

  const say = (field: RiskField | "reason" | "form") => {
    const problem = problems[field];
    return problem ? t(problem.key, problem.params) : null;
  };
  const input = (field: RiskField, suffix: string) => (
    <Field
      key={field}
      label={t(RISK_FIELD_NAMES[field])}
      inputMode={(AMOUNT_FIELDS as readonly string[]).includes(field) ? "decimal" : "numeric"}
      autoComplete="off"
      placeholder={t("backoffice.limits.default")}
      suffix={suffix}
      value={form[field]}
      onChange={(event) => setForm({ ...form, [field]: event.target.value })}
      error={say(field)}
    />
  );

  return (
    <form className="panel staff-detail staff-form" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("backoffice.risk.settingsTitle", { market: market.name })}
      </h3>
      <div className="staff-detail__body">
        <p className="muted">
          {risk.settings.reference
            ? t("backoffice.risk.referenceNow", { price: `${formatPrice(risk.settings.reference, market, locale)} ${market.quoteToken.symbol}` })
            : t("backoffice.risk.noReference")}
        </p>
        <p className="muted">{t("backoffice.risk.hint")}</p>
        <div className="staff-form__row">{BPS_FIELDS.map((field) => input(field, t("backoffice.risk.bps")))}</div>
        <div className="staff-form__row">{SECONDS_FIELDS.map((field) => input(field, t("backoffice.risk.seconds")))}</div>
        <div className="staff-form__row">{AMOUNT_FIELDS.map((field) => input(field, amountToken(field, market).symbol))}</div>
        <ReasonField value={form.reason} onChange={(reason) => setForm({ ...form, reason })} error={say("reason")} />
        {problems.form ? (
          <p className="form-error" role="alert">
            {say("form")}
          </p>
        ) : null}
        <div className="staff-card__actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {t("backoffice.risk.save")}
          </button>
          <button type="button" className="button" onClick={onDone}>
            {t("common.cancel")}
          </button>
        </div>
        <StaffErrorAlert error={save.error} />
      </div>
    </form>
  );
}
