/**
 * "Identity verification": the level held, every submission with its status (pending, approved, or
 * rejected with the reviewer's reason and a way to send it again), and the form for the next level.
 */
import { useId } from "react";
import { DataTable, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { KycState, Profile, Submission } from "./account-api";
import { goToForm, latestOf, stepState, SUBMISSION_STATUS_NAMES, type StepState } from "./kyc-steps";
import { Level1Form } from "./level1-form";
import { Level2Form } from "./level2-form";

const STEP_TEXTS: Partial<Record<StepState, MessageKey>> = {
  pending: "kyc.step.pending",
  locked: "kyc.step.locked",
  restricted: "kyc.step.restricted",
};

export function KycSection({ address, kyc, profile }: { address: string; kyc: KycState; profile: Profile }) {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const step1 = stepState(1, kyc, profile);
  const step2 = stepState(2, kyc, profile);
  const rejectionOf = (level: 1 | 2) => {
    const latest = latestOf(level, kyc.submissions);
    return latest?.status === "rejected" ? (latest.reason ?? t("kyc.noReason")) : null;
  };
  const canResend = (submission: Submission) =>
    submission.status === "rejected" && latestOf(submission.level, kyc.submissions) === submission && stepState(submission.level, kyc, profile) === "open";

  const columns: Column<Submission>[] = [
    { id: "submitted", header: t("kyc.col.submitted"), cell: (s) => formatDateTime(s.submittedAt) },
    { id: "level", header: t("kyc.col.level"), cell: (s) => t("kyc.levelName", { level: s.level }) },
    { id: "status", header: t("kyc.col.status"), cell: (s) => <span className={`kyc-status kyc-status--${s.status}`}>{t(SUBMISSION_STATUS_NAMES[s.status])}</span> },
    { id: "reason", header: t("kyc.col.reason"), cell: (s) => <span className="cell-wrap">{s.reason ?? t("common.none")}</span> },
    { id: "reviewed", header: t("kyc.col.reviewed"), cell: (s) => (s.reviewedAt ? formatDateTime(s.reviewedAt) : t("common.none")) },
    {
      id: "action",
      header: t("kyc.col.action"),
      cell: (s) =>
        canResend(s) ? (
          <button type="button" className="button button--small" onClick={() => goToForm(s.level)}>
            {t("kyc.resubmit")}
          </button>
        ) : null,
    },
  ];

  const stepText = (level: 1 | 2, state: StepState) => {
    const key = STEP_TEXTS[state];
    return key ? <p role="status">{t(key, { level })}</p> : null;
  };

  return (
    <section className="panel account-section" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("kyc.title")}
      </h3>
      <div className="account-section__body">
        <p>
          {t("kyc.currentLevel", { level: kyc.level })} <span className="muted">{t(`kyc.levelMeaning.${kyc.level}`)}</span>
        </p>
        <DataTable label={t("kyc.submissions")} columns={columns} rows={kyc.submissions} rowKey={(s) => String(s.id)} empty={t("kyc.noSubmissions")} height={220} />
        {step1 === "open" ? <Level1Form address={address} country={profile.country} rejection={rejectionOf(1)} /> : stepText(1, step1)}
        {step1 === "done" ? (step2 === "open" ? <Level2Form address={address} rejection={rejectionOf(2)} /> : stepText(2, step2)) : null}
        {step2 === "done" ? <p>{t("kyc.allDone")}</p> : null}
      </div>
    </section>
  );
}
