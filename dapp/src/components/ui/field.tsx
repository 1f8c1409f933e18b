/** A labelled input with a hint or an error in words next to it (announced, and tied by aria-describedby). */
import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import "./field.css";

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  /** The input's accessible name ("Price", "Amount"). */
  label: string;
  /** What is wrong with the value, in words; marks the input invalid. */
  error?: string | null;
  hint?: ReactNode;
  /** Text after the input (the unit: "USDC"). */
  suffix?: ReactNode;
}

export function Field({ label, error, hint, suffix, className, ...input }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field ${error ? "field--invalid" : ""} ${className ?? ""}`}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <div className="field__control">
        <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
        {suffix ? <span className="field__suffix">{suffix}</span> : null}
      </div>
      {error ? (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
