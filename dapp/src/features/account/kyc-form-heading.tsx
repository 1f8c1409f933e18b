/** The top of a KYC level's form: its heading (where the limits panel's button puts the focus) and, after a
 * rejection, the reviewer's reason. */
import { useI18n } from "../../i18n";
import { FORM_HEADING_IDS } from "./kyc-steps";

/** The reviewer's reason without its own final full stop: the message ends the sentence ("months.. Correct it"). */
function withoutFinalStop(reason: string): string {
  return reason.trimEnd().replace(/[.。]$/, "");
}

export function KycFormHeading({ level, rejection }: { level: 1 | 2; rejection: string | null }) {
  const { t } = useI18n();
  return (
    <>
      <h4 id={FORM_HEADING_IDS[level]} tabIndex={-1}>
        {t(level === 1 ? "kyc.level1.title" : "kyc.level2.title")}
      </h4>
      {rejection !== null ? (
        <p className="form-error" role="status">
          {t("kyc.rejectedResubmit", { reason: withoutFinalStop(rejection) })}
        </p>
      ) : null}
    </>
  );
}
