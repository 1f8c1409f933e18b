/**
 * The confirmation of a withdrawal: what the wallet will sign, in token units (the wallet shows raw integers):
 * the amount taken out of the exchange, the most the operator may keep as its fee, what arrives, where and for
 * how long the request is valid. Nothing is signed until it is confirmed. Reopened for a request whose outcome is
 * unknown, it shows what was signed (its expiry included) and sends that again instead of asking for a signature.
 */
import type { Address } from "viem";
import { Dialog, Terms } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { TokenInfo } from "../../lib/api-types";
import { formatUnits } from "../../lib/format";
import { SignedSubmission } from "../order-form";
import { withdrawalFee, type SignedWithdrawal, type WithdrawalView } from "./withdrawal";

export interface ReviewedWithdrawal {
  /** The account that withdraws, to itself: the one connected when the review opened. */
  wallet: Address;
  token: TokenInfo;
  amount: bigint;
  /** The wallet's withdrawal fee rate, millionths: the signed `maxFee` is the fee at this rate. */
  feeRate: number;
  /** Travel-rule details sent beside the signed withdrawal, if its value needs them. */
  travelRule?: Record<string, unknown>;
  /** Its signed request while an attempt's outcome is unknown: sent again as signed, since a new signature would be
   * a second withdrawal, with a second fee. */
  submission: SignedSubmission<SignedWithdrawal, WithdrawalView>;
}

/** A review of withdrawing `amount` of `token` from `wallet` to itself, nothing signed yet. */
export function reviewWithdrawal(terms: Omit<ReviewedWithdrawal, "submission">): ReviewedWithdrawal {
  return { ...terms, submission: new SignedSubmission<SignedWithdrawal, WithdrawalView>() };
}

interface Props {
  review: ReviewedWithdrawal;
  onConfirm(): void;
  onClose(): void;
}

export function WithdrawalReview({ review, onConfirm, onClose }: Props) {
  const { t, locale, formatFeeRate, formatDateTime } = useI18n();
  const { token, amount, feeRate } = review;
  const signed = review.submission.pending;
  const units = (value: bigint) => `${formatUnits(value, token.decimals, { locale })} ${token.symbol}`;
  const fee = withdrawalFee(amount, feeRate);
  const rows: [string, string][] = [
    [t("funds.review.amount"), units(amount)],
    [t("funds.review.fee"), t("funds.review.feeValue", { fee: units(fee), rate: formatFeeRate(feeRate) })],
    [t("funds.review.receive"), units(amount - fee)],
    [t("funds.review.recipient"), review.wallet],
    signed
      ? [t("funds.review.signedExpiry"), formatDateTime(Number(signed.expiry) * 1000)]
      : [t("funds.review.expiry"), t("funds.review.expiryValue")],
  ];
  if (review.travelRule) rows.push([t("funds.review.travelRule"), t("funds.review.travelRuleValue")]);
  return (
    <Dialog
      open
      title={t("funds.review.title", { token: token.symbol })}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={onClose}>
            {t("funds.review.back")}
          </button>
          <button type="button" className="button button--primary" onClick={onConfirm}>
            {t(signed ? "funds.sendAgain" : "funds.review.confirm")}
          </button>
        </>
      }
    >
      <p className="muted">{t(signed ? "funds.inDoubt" : "funds.review.lead")}</p>
      <Terms rows={rows} />
    </Dialog>
  );
}
