/**
 * One KYC document, fetched only when staff ask (every access is audit-logged on the server) with the
 * staff cookie, then shown from a blob: URL: PNG and JPEG as an image, PDF as a download link (browsers
 * refuse their PDF viewer inside a sandboxed frame), anything else as an opaque download.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useI18n, type MessageKey } from "../../i18n";
import type { KycDocument } from "../account";
import { staffApi } from "./staff-api";
import { staffErrorText } from "./staff-errors";
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

export function DocumentViewer({ kycDocument, submissionId }: { kycDocument: KycDocument; submissionId: string | number }) {
  const { t, formatNumber } = useI18n();
  const [shown, setShown] = useState<Shown | null>(null);
  const open = useMutation({
    mutationFn: () => staffApi.document(kycDocument.id),
    onSuccess: (file) => {
      const type = file.contentType || kycDocument.contentType;
      const url = URL.createObjectURL(new Blob([file.blob], { type: safeBlobType(type) }));
      setShown({ url, view: documentView(type), fileName: documentFileName(kycDocument.kind, submissionId, type) });
    },
  });

  // The blob: URL holds the file in memory until revoked.
  useEffect(() => () => void (shown && URL.revokeObjectURL(shown.url)), [shown]);

  const name = t(KIND_NAMES[kycDocument.kind]);
  const size = t("backoffice.kyc.document.size", { kilobytes: formatNumber(Math.ceil(kycDocument.size / 1024)) });
  return (
    <figure className="document">
      <figcaption>
        {name} <span className="muted">({kycDocument.contentType}, {size})</span>
      </figcaption>
      {shown ? (
        <>
          {shown.view === "image" ? <img className="document__image" src={shown.url} alt={name} /> : null}
          <a href={shown.url} download={shown.fileName} className="button button--small">
            {t("backoffice.kyc.document.download", { name })}
          </a>
        </>
      ) : (
        <button type="button" className="button button--small" onClick={() => open.mutate()} disabled={open.isPending}>
          {open.isPending ? t("common.loading") : t("backoffice.kyc.document.open", { name })}
        </button>
      )}
      {open.error ? (
        <p className="form-error" role="alert">
          {staffErrorText(open.error, t)}
        </p>
      ) : null}
    </figure>
  );
}
