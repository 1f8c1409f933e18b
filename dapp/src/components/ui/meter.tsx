/** A labelled gauge (role "meter") of how much of an allowance is used; the value is in thousandths so
 * amounts of any size stay exact (the caller does the bigint division), the text says the amounts. */
import { useId } from "react";
import "./meter.css";

interface MeterProps {
  /** The meter's accessible name ("Daily withdrawals"). */
  label: string;
  /** Used share in thousandths, 0 to 1000. */
  permille: number;
  /** What the meter says in words ("1,000 of 5,000 USDC used, 4,000 left"): shown and read out. */
  text: string;
  /** Drawn as a warning (nothing or almost nothing left). */
  high?: boolean;
}

export function Meter({ label, permille, text, high }: MeterProps) {
  const id = useId();
  return (
    <div className={`meter ${high ? "meter--high" : ""}`}>
      <span id={`${id}-label`} className="meter__label">
        {label}
      </span>
      <meter
        className="meter__bar"
        min={0}
        max={1000}
        value={permille}
        high={900}
        optimum={0}
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-text`}
        aria-valuetext={text}
      />
      <span id={`${id}-text`} className="meter__text num">
        {text}
      </span>
    </div>
  );
}
