/**
 * The confirmation of a withdrawal: what the wallet will sign, in token units (the wallet shows raw integers):
 * the amount taken out of the exchange, the most the operator may keep as its fee, what arrives, where and for
 * how long the request is valid. Nothing is signed until it is confirmed.
 */
import type { Address } from "viem";
import { Dialog, Terms } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { TokenInfo } from "../../lib/api-types";
import { formatUnits } from "../../lib/format";
import { withdrawalFee } from "./withdrawal";

export interface ReviewedWithdrawal {
  token: TokenInfo;
  amount: bigint;
  /** The wallet's withdrawal fee rate, millionths: the signed `maxFee` is the fee at this rate. */
  feeRate: number;
  /** Travel-rule details sent beside the signed withdrawal, if its value needs them. */
  travelRule?: Record<string, unknown>;
}

interface Props {
  review: ReviewedWithdrawal;
  recipient: Address;
  onConfirm(): void;
  onClose(): void;
}

export function WithdrawalReview({ review, recipient, onConfirm, onClose }: Props) {
  const { t, locale, formatFeeRate } = useI18n();
  const { token, amount, feeRate } = review;
  const units = (value: bigint) => `${formatUnits(value, token.decimals, { locale })} ${token.symbol}`;
  const fee = withdrawalFee(amount, feeRate);
  const rows: [string, string][] = [
    [t("funds.review.amount"), units(amount)],
    [t("funds.review.fee"), t("funds.review.feeValue", { fee: units(fee), rate: formatFeeRate(feeRate) })],
    [t("funds.review.receive"), units(amount - fee)],
    [t("funds.review.recipient"), recipient],
    [t("funds.review.expiry"), t("funds.review.expiryValue")],
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
            {t("funds.review.confirm")}
          </button>
        </>
      }
    >
      <p className="muted">{t("funds.review.lead")}</p>
      <Terms rows={rows} />
    </Dialog>
  );
}
