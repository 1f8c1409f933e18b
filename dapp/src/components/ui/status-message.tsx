/** The loading, empty and error states every panel shows the same way. */
import "./status-message.css";

interface StatusMessageProps {
  kind: "loading" | "empty" | "error";
  children: string;
  /** Shown as a button on errors ("Retry"). */
  action?: { label: string; onClick(): void };
}

export function StatusMessage({ kind, children, action }: StatusMessageProps) {
  return (
    <div className={`status-message status-message--${kind}`} role={kind === "error" ? "alert" : "status"}>
      {kind === "loading" ? <span className="status-message__spinner" aria-hidden="true" /> : null}
      <span>{children}</span>
      {action ? (
        <button type="button" className="button button--small" onClick={action.onClick}>
          {action.label}
        </button>
      ) : null}
    </div>
  );
}
