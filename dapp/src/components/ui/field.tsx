/** Labelled inputs, selects and text areas, each with a hint or an error in words next to it (announced,
 * and tied by aria-describedby). */
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import "./field.css";

interface Described {
  /** The control's accessible name ("Price", "Amount"). */
  label: string;
  /** What is wrong with the value, in words; marks the control invalid. */
  error?: string | null;
  hint?: ReactNode;
}

interface FieldProps extends Described, Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  /** Text after the input (the unit: "USDC"). */
  suffix?: ReactNode;
}

/** The ids and aria attributes that tie a control to its label, hint and error. */
function useDescribed({ error, hint }: Described) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return { id, hintId, errorId, control: { id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy } };
}

function Shell({ label, error, hint, className, ids, children }: Described & { className?: string; ids: ReturnType<typeof useDescribed>; children: ReactNode }) {
  return (
    <div className={`field ${error ? "field--invalid" : ""} ${className ?? ""}`}>
      <label htmlFor={ids.id} className="field__label">
        {label}
      </label>
      {children}
      {error ? (
        <p id={ids.errorId} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={ids.hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Field({ label, error, hint, suffix, className, ...input }: FieldProps) {
  const ids = useDescribed({ label, error, hint });
  return (
    <Shell label={label} error={error} hint={hint} className={className} ids={ids}>
      <div className="field__control">
        <input {...ids.control} {...input} />
        {suffix ? <span className="field__suffix">{suffix}</span> : null}
      </div>
    </Shell>
  );
}

interface SelectFieldProps extends Described, Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> {
  options: readonly (readonly [value: string, text: string])[];
  /** A first, empty choice ("Choose a country"). */
  placeholder?: string;
}

export function SelectField({ label, error, hint, options, placeholder, className, ...select }: SelectFieldProps) {
  const ids = useDescribed({ label, error, hint });
  return (
    <Shell label={label} error={error} hint={hint} className={className} ids={ids}>
      <div className="field__control">
        <select {...ids.control} {...select}>
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </div>
    </Shell>
  );
}

type TextAreaFieldProps = Described & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id">;

export function TextAreaField({ label, error, hint, className, ...textarea }: TextAreaFieldProps) {
  const ids = useDescribed({ label, error, hint });
  return (
    <Shell label={label} error={error} hint={hint} className={className} ids={ids}>
      <div className="field__control">
        <textarea rows={2} {...ids.control} {...textarea} />
      </div>
    </Shell>
  );
}
