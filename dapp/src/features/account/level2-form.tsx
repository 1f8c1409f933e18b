/** "Level 2: documents": an identity document and a proof of address, checked for size and type in words
 * before the upload (the server checks the content again and decides). */
import { useState, type FormEvent } from "react";
import { Field, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { accountErrorText } from "./error-text";
import { accountApi, useSubmitKyc } from "./account-api";
import { KycFormHeading } from "./kyc-form-heading";
import { FORM_HEADING_IDS } from "./kyc-steps";
import { MAX_UPLOAD_BYTES, megabytes, UPLOAD_ACCEPT, uploadProblem } from "./validation";

interface Files {
  identityDocument: File;
  proofOfAddress: File;
}

/** The field of the file the server refused (too large, or not a PDF, PNG or JPEG by its content), or null: the
 * refusal is then shown at that file, since "a file" of two does not tell which one to replace. */
export function refusedUpload(error: unknown): keyof Files | null {
  if (!(error instanceof ApiError) || (error.code !== "UPLOAD_TYPE_REFUSED" && error.code !== "UPLOAD_TOO_LARGE")) return null;
  return error.field === "identityDocument" || error.field === "proofOfAddress" ? error.field : null;
}

export function Level2Form({ address, rejection }: { address: string; rejection: string | null }) {
  const { t } = useI18n();
  const toast = useToast();
  const [identity, setIdentity] = useState<File | null>(null);
  const [proof, setProof] = useState<File | null>(null);
  const [attempted, setAttempted] = useState(false);
  const submit = useSubmitKyc<Files>(address, (files) => accountApi.submitLevel2(files.identityDocument, files.proofOfAddress));

  const identityProblem = uploadProblem(identity);
  const proofProblem = uploadProblem(proof);
  // A picked file is checked at once; a missing one only once the user tries to send.
  const shown = (file: File | null, problem: ReturnType<typeof uploadProblem>) =>
    problem && (file || attempted) ? t(problem.key, problem.params) : null;
  const hint = t("kyc.uploadHint", { max: megabytes(MAX_UPLOAD_BYTES) });
  const refused = refusedUpload(submit.error);
  const refusal = (field: keyof Files) => (refused === field ? accountErrorText(submit.error, t) : null);
  /** A new file for `field`: the server's refusal of the one before no longer stands. */
  function pick(set: (file: File | null) => void, file: File | null) {
    set(file);
    if (submit.error) submit.reset();
  }

  function send(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (identityProblem || proofProblem || !identity || !proof) return;
    submit.mutate(
      { identityDocument: identity, proofOfAddress: proof },
      { onSuccess: () => toast.show({ kind: "success", title: t("kyc.submitted"), body: t("kyc.submittedBody") }) },
    );
  }

  return (
    <form className="account-form" onSubmit={send} noValidate aria-labelledby={FORM_HEADING_IDS[2]}>
      <KycFormHeading level={2} rejection={rejection} />
      <Field
        label={t("kyc.identityDocument")}
        type="file"
        accept={UPLOAD_ACCEPT}
        onChange={(event) => pick(setIdentity, event.target.files?.[0] ?? null)}
        error={shown(identity, identityProblem) ?? refusal("identityDocument")}
        hint={hint}
      />
      <Field
        label={t("kyc.proofOfAddress")}
        type="file"
        accept={UPLOAD_ACCEPT}
        onChange={(event) => pick(setProof, event.target.files?.[0] ?? null)}
        error={shown(proof, proofProblem) ?? refusal("proofOfAddress")}
        hint={t("kyc.proofOfAddressHint", { max: megabytes(MAX_UPLOAD_BYTES) })}
      />
      <div className="account-form__actions">
        <button type="submit" className="button button--primary" disabled={submit.isPending}>
          {submit.isPending ? t("common.sending") : t("kyc.level2.submit")}
        </button>
      </div>
      {submit.error && !refused ? (
        <p className="form-error" role="alert">
          {accountErrorText(submit.error, t)}
        </p>
      ) : null}
    </form>
  );
}
