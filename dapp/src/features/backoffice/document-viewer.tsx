/**
 * A file staff open (a KYC document, a ticket's attachment), fetched only when asked (the server audit-logs
 * every access) with the staff cookie, then shown from a blob: URL: PNG and JPEG as an image, PDF as a
 * download link (browsers refuse their PDF viewer inside a sandboxed frame), anything else as an opaque
 * download.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { useI18n, type MessageKey } from "../../i18n";
import type { Download } from "../../lib/api-client";
import type { KycDocument } from "../account";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import { documentFileName, documentView, safeBlobType, type DocumentView } from "./documents";

const KIND_NAMES: Record<KycDocument["kind"], MessageKey> = {
  identity: "backoffice.kyc.document.identity",
  proof_of_address: "backoffice.kyc.document.proof_of_address",
};

interface Shown {
  url: string;
  view: DocumentView;
  fileName: string;
}

export interface ViewedFile {
  fetchFile: () => Promise<Download>;
  /** What the file is, in words: the shown image's text. */
  label: string;
  /** The download's name before its extension (which the type gives). */
  fileStem: string;
  /** The type the server recorded, used when the download does not say. */
  contentType: string;
  caption?: ReactNode;
  openLabel: string;
  downloadLabel: string;
}

export function FileViewer({ fetchFile, label, fileStem, contentType, caption, openLabel, downloadLabel }: ViewedFile) {
  const { t } = useI18n();
  const [shown, setShown] = useState<Shown | null>(null);
  const open = useMutation({
    mutationFn: fetchFile,
    onSuccess: (file) => {
      const type = file.contentType || contentType;
      const url = URL.createObjectURL(new Blob([file.blob], { type: safeBlobType(type) }));
      setShown({ url, view: documentView(type), fileName: documentFileName(fileStem, type) });
    },
  });

  // The blob: URL holds the file in memory until revoked.
  useEffect(() => () => void (shown && URL.revokeObjectURL(shown.url)), [shown]);

  return (
    <figure className="document">
      {caption ? <figcaption>{caption}</figcaption> : null}
      {shown ? (
        <>
          {shown.view === "image" ? <img className="document__image" src={shown.url} alt={label} /> : null}
          <a href={shown.url} download={shown.fileName} className="button button--small">
            {downloadLabel}
          </a>
        </>
      ) : (
        <button type="button" className="button button--small" onClick={() => open.mutate()} disabled={open.isPending}>
          {open.isPending ? t("common.loading") : openLabel}
        </button>
      )}
      <StaffErrorAlert error={open.error} />
    </figure>
  );
}

/** One KYC document of a submission. */
export function DocumentViewer({ kycDocument, submissionId }: { kycDocument: KycDocument; submissionId: string | number }) {
  const { t, formatNumber } = useI18n();
  const name = t(KIND_NAMES[kycDocument.kind]);
  const size = t("backoffice.kyc.document.size", { kilobytes: formatNumber(Math.ceil(kycDocument.size / 1024)) });
  return (
    <FileViewer
      fetchFile={() => staffApi.document(kycDocument.id)}
      label={name}
      fileStem={`${kycDocument.kind}-${submissionId}`}
      contentType={kycDocument.contentType}
      caption={
        <>
          {name} <span className="muted">({kycDocument.contentType}, {size})</span>
        </>
      }
      openLabel={t("backoffice.kyc.document.open", { name })}
      downloadLabel={t("backoffice.kyc.document.download", { name })}
    />
  );
}
