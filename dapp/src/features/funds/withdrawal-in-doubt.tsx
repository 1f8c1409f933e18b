/** A withdrawal request the exchange did not answer clearly: it may stand, so the way on is to send it again as
 * signed (the API accepts one signed request once: a copy tells what became of the first), never to sign another. */
import { useI18n } from "../../i18n";
import { formatUnits } from "../../lib/format";
import type { ReviewedWithdrawal } from "./withdrawal-review";

interface Props {
  reviewed: ReviewedWithdrawal;
  onSendAgain(): void;
}

export function WithdrawalInDoubt({ reviewed, onSendAgain }: Props) {
  const { t, locale } = useI18n();
  const { token, amount } = reviewed;
  return (
    <div className="form-error funds__in-doubt" role="alert">
      <p>{t("funds.inDoubtLead", { amount: `${formatUnits(amount, token.decimals, { locale })} ${token.symbol}` })}</p>
      <button type="button" className="button button--small" onClick={onSendAgain}>
        {t("funds.sendAgain")}
      </button>
    </div>
  );
}
