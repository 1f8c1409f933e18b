/**
 * "KYC review": the queue of submissions by status (pending first), and the one under review with its
 * data, its documents and the decision (approve, or reject with the reason the user will read).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { LoadMore, SelectField, StatusMessage, useToast, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { countryName } from "../../lib/countries";
import { loadError } from "../../lib/query-client";
import { SUBMISSION_STATUS_NAMES } from "../account";
import { DocumentViewer } from "./document-viewer";
import { reasonProblem } from "./forms";
import { can } from "./permissions";
import { kycQueueQuery, readTracker } from "./polled-queries";
import { QueryTable } from "./query-table";
import { ReasonField } from "./reason-field";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import { staffErrorText } from "./staff-errors";
import type { StaffMember, StaffSubmissionRow, SubmissionStatus } from "./staff-types";

const STATUSES: readonly SubmissionStatus[] = ["pending", "approved", "rejected"];

export function KycReviewSection({ member }: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const [status, setStatus] = useState<SubmissionStatus>("pending");
  const [selected, setSelected] = useState<string | number | null>(null);
  const [polled] = useState(readTracker);
  const queue = useInfiniteQuery(kycQueueQuery(status, polled));

  const columns: Column<StaffSubmissionRow>[] = [
    { id: "submitted", header: t("kyc.col.submitted"), cell: (s) => formatDateTime(s.submittedAt) },
    { id: "wallet", header: t("backoffice.col.wallet"), cell: (s) => <code>{s.address}</code> },
    { id: "email", header: t("backoffice.col.email"), cell: (s) => s.email ?? t("common.none") },
    { id: "level", header: t("kyc.col.level"), cell: (s) => t("kyc.levelName", { level: s.level }) },
    { id: "status", header: t("kyc.col.status"), cell: (s) => t(SUBMISSION_STATUS_NAMES[s.status]) },
    {
      id: "action",
      header: t("kyc.col.action"),
      cell: (s) => (
        <button
          type="button"
          className="button button--small"
          aria-label={t("backoffice.rowAction", { action: t("backoffice.kyc.review"), row: s.address })}
          onClick={() => setSelected(s.id)}
          aria-pressed={selected === s.id}
        >
          {t("backoffice.kyc.review")}
        </button>
      ),
    },
  ];

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.kyc.title")}</h2>
      <div className="backoffice-section__filters">
        <SelectField
          label={t("backoffice.kyc.statusFilter")}
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as SubmissionStatus);
            setSelected(null);
          }}
          options={STATUSES.map((s) => [s, t(SUBMISSION_STATUS_NAMES[s])] as const)}
        />
      </div>
      <QueryTable
        label={t("backoffice.kyc.queue")}
        columns={columns}
        rows={queue.data?.pages.flatMap((page) => page.submissions)}
        rowKey={(s) => String(s.id)}
        query={queue}
        empty={t("backoffice.kyc.empty")}
      />
      <LoadMore query={queue} />
      {selected !== null ? <SubmissionReview key={String(selected)} id={selected} member={member} /> : null}
    </section>
  );
}

/** Why a submission shows no identity data: the role may not read it, or the level sends none (documents only). */
export function identityDataMissing(level: number, member: StaffMember): MessageKey {
  return level === 1 && !can(member, "kyc.documents.read") ? "backoffice.kyc.noDataAccess" : "backoffice.kyc.noData";
}

export function SubmissionReview({ id, member }: { id: string | number; member: StaffMember }) {
  const { t, locale, formatDateTime } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [attempt, setAttempt] = useState<"approve" | "reject" | null>(null);
  const key = ["staff", "kyc", "submission", String(id)];
  const submission = useQuery({ queryKey: key, queryFn: () => staffApi.submission(id) });
  const decide = useMutation({
    mutationFn: (decision: "approve" | "reject") =>
      decision === "approve" ? staffApi.approve(id, reason.trim() || null) : staffApi.reject(id, reason.trim()),
    onSuccess: (updated, decision) => {
      queryClient.setQueryData(key, updated);
      void queryClient.invalidateQueries({ queryKey: ["staff", "kyc", "list"] });
      toast.show({ kind: "success", title: t(decision === "approve" ? "backoffice.kyc.approved" : "backoffice.kyc.rejected") });
    },
  });

  const failed = loadError(submission);
  if (failed) return <StatusMessage kind="error">{staffErrorText(failed, t)}</StatusMessage>;
  if (!submission.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  const s = submission.data;
  const problem = reasonProblem(reason, attempt === "reject");

  function decideWith(decision: "approve" | "reject") {
    setAttempt(decision);
    if (!reasonProblem(reason, decision === "reject")) decide.mutate(decision);
  }

  return (
    <article className="panel staff-detail" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("backoffice.kyc.submission", { id: String(s.id) })}
      </h3>
      <div className="staff-detail__body">
        <dl className="facts">
          <dt>{t("backoffice.col.wallet")}</dt>
          <dd>
            <code>{s.address}</code>
          </dd>
          <dt>{t("backoffice.col.email")}</dt>
          <dd>{s.email ?? t("common.none")}</dd>
          <dt>{t("kyc.col.level")}</dt>
          <dd>{t("kyc.levelName", { level: s.level })}</dd>
          <dt>{t("kyc.col.status")}</dt>
          <dd>{t(SUBMISSION_STATUS_NAMES[s.status])}</dd>
          <dt>{t("kyc.col.submitted")}</dt>
          <dd>{formatDateTime(s.submittedAt)}</dd>
          {s.reviewedAt ? (
            <>
              <dt>{t("kyc.col.reviewed")}</dt>
              <dd>
                {formatDateTime(s.reviewedAt)} {s.reviewer ? `(${s.reviewer})` : null}
              </dd>
            </>
          ) : null}
          {s.reason ? (
            <>
              <dt>{t("kyc.col.reason")}</dt>
              <dd className="cell-wrap">{s.reason}</dd>
            </>
          ) : null}
          {s.data ? (
            <>
              <dt>{t("kyc.legalName")}</dt>
              <dd>{s.data.legalName}</dd>
              <dt>{t("kyc.dateOfBirth")}</dt>
              <dd>{s.data.dateOfBirth}</dd>
              <dt>{t("kyc.country")}</dt>
              <dd>
                {countryName(s.data.country, locale)} ({s.data.country})
              </dd>
              <dt>{t("backoffice.kyc.postalAddress")}</dt>
              <dd className="postal-address">
                {[s.data.address.line1, s.data.address.line2, `${s.data.address.postalCode} ${s.data.address.city}`, s.data.address.region]
                  .filter(Boolean)
                  .join("\n")}
              </dd>
            </>
          ) : null}
        </dl>
        {s.data === null ? <p className="muted">{t(identityDataMissing(s.level, member))}</p> : null}
        {s.documents.length > 0 ? (
          can(member, "kyc.documents.read") ? (
            <div className="documents">
              {s.documents.map((doc) => (
                <DocumentViewer key={String(doc.id)} kycDocument={doc} submissionId={s.id} />
              ))}
            </div>
          ) : (
            <p className="muted">{t("backoffice.kyc.noDocumentAccess")}</p>
          )
        ) : null}
        {s.status === "pending" && can(member, "kyc.review") ? (
          <div className="staff-form">
            <ReasonField
              hint={t("backoffice.kyc.reasonHint")}
              value={reason}
              onChange={setReason}
              error={attempt && problem ? t(problem.key, problem.params) : null}
            />
            <div className="staff-card__actions">
              <button type="button" className="button button--buy" onClick={() => decideWith("approve")} disabled={decide.isPending}>
                {t("backoffice.kyc.approve")}
              </button>
              <button type="button" className="button button--sell" onClick={() => decideWith("reject")} disabled={decide.isPending}>
                {t("backoffice.kyc.reject")}
              </button>
            </div>
            <StaffErrorAlert error={decide.error} />
          </div>
        ) : null}
        {s.status === "pending" && !can(member, "kyc.review") ? <p className="muted">{t("backoffice.kyc.noDecideAccess")}</p> : null}
      </div>
    </article>
  );
}
