/** A KYC document staff open, fetched with the staff cookie only when asked (the server audit-logs every access). */
import { FileViewer } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { KycDocument } from "../account";
import { staffApi } from "./staff-api";
import { staffErrorText } from "./staff-errors";

const KIND_NAMES: Record<KycDocument["kind"], MessageKey> = {
  identity: "backoffice.kyc.document.identity",
  proof_of_address: "backoffice.kyc.document.proof_of_address",
};

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
      errorText={(error) => staffErrorText(error, t)}
    />
  );
}
