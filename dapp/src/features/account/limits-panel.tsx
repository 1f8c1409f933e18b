/**
 * "Limits": the wallet's level, its withdrawal allowances as meters (used and left, today and over 30
 * days), the largest order it may place, and what the next level raises with a button to its form.
 */
import "./messages"; // also loaded alone, by the back office
import { useId } from "react";
import { Meter, StatusMessage } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { LimitKind, Limits, WithdrawalLimitKind } from "./account-api";
import { accountErrorText } from "./error-text";
import { allowance, unlocks } from "./limits";
import type { StepState } from "./kyc-steps";
import "./limits.css";

const LIMIT_NAMES: Record<LimitKind, MessageKey> = {
  withdrawalDaily: "limits.withdrawalDaily",
  withdrawal30d: "limits.withdrawal30d",
  maxOrderNotional: "limits.maxOrderNotional",
};
const WITHDRAWAL_KINDS: readonly WithdrawalLimitKind[] = ["withdrawalDaily", "withdrawal30d"];

/** Reference-token base units as "1,000.5 USDC". */
export function useReferenceAmount(limits: Pick<Limits, "reference">): (value: bigint | string) => string {
  const { formatUnits } = useI18n();
  return (value) => `${formatUnits(value, limits.reference.decimals)} ${limits.reference.symbol}`;
}

/** The meters and the order limit: shared by the account page and the back office's user view. */
export function LimitsSummary({ limits }: { limits: Limits }) {
  const { t } = useI18n();
  const amount = useReferenceAmount(limits);
  const overridden = new Set(limits.overridden);
  const byStaff = (kind: LimitKind) => (overridden.has(kind) ? ` ${t("limits.overridden")}` : "");
  return (
    <div className="limits">
      <p>{t("limits.level", { level: limits.level })}</p>
      {WITHDRAWAL_KINDS.map((kind) => {
        const a = allowance(limits, kind);
        return (
          <Meter
            key={kind}
            label={`${t(LIMIT_NAMES[kind])}${byStaff(kind)}`}
            permille={a.permille}
            high={a.exhausted || a.permille >= 900}
            text={t("limits.meterText", { used: amount(a.used), limit: amount(a.limit), remaining: amount(a.remaining) })}
          />
        );
      })}
      <dl className="limits__order">
        <dt>
          {t(LIMIT_NAMES.maxOrderNotional)}
          {byStaff("maxOrderNotional")}
        </dt>
        <dd className="num">{amount(limits.limits.maxOrderNotional)}</dd>
      </dl>
      <p className="muted limits__note">{t("limits.valuedIn", { symbol: limits.reference.symbol })}</p>
    </div>
  );
}

interface LimitsPanelProps {
  limits: Limits;
  /** Where the user stands on the next level's form. */
  nextStep: StepState | null;
  onGoToLevel(level: 1 | 2): void;
}

export function LimitsPanel({ limits, nextStep, onGoToLevel }: LimitsPanelProps) {
  const { t } = useI18n();
  const ids = useId();
  const amount = useReferenceAmount(limits);
  const next = limits.nextLevel;
  const raised = unlocks(limits);

  let step = null;
  if (next && (next.level === 1 || next.level === 2)) {
    const level = next.level;
    if (nextStep === "open")
      step = (
        <button type="button" className="button button--primary" onClick={() => onGoToLevel(level)}>
          {t("limits.goToLevel", { level })}
        </button>
      );
    else if (nextStep === "pending") step = <p role="status">{t("limits.nextPending", { level })}</p>;
    else if (nextStep === "restricted") step = <p>{t("limits.nextRestricted")}</p>;
  }

  return (
    <section className="panel account-section" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("limits.title")}
      </h3>
      <div className="account-section__body">
        <LimitsSummary limits={limits} />
        {next ? (
          <div className="limits__next">
            <h4 id={`${ids}-next`}>{t("limits.nextTitle", { level: next.level })}</h4>
            {raised.length > 0 ? (
              <ul aria-labelledby={`${ids}-next`}>
                {raised.map((unlock) => (
                  <li key={unlock.kind}>
                    {t("limits.raise", { limit: t(LIMIT_NAMES[unlock.kind]), now: amount(unlock.now), next: amount(unlock.next) })}
                  </li>
                ))}
              </ul>
            ) : null}
            {step}
          </div>
        ) : (
          <p className="muted">{t("limits.highest")}</p>
        )}
      </div>
    </section>
  );
}

/** The panel while the limits cannot be shown: loading, or the refusal in words (503 while no market
 * lists the reference token) with a retry. */
export function LimitsUnavailable({ error, onRetry }: { error: unknown; onRetry(): void }) {
  const { t } = useI18n();
  const ids = useId();
  return (
    <section className="panel account-section" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("limits.title")}
      </h3>
      {error ? (
        <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: onRetry }}>
          {accountErrorText(error, t)}
        </StatusMessage>
      ) : (
        <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>
      )}
    </section>
  );
}
