/** Toasts: short notices in a live region (errors are announced at once, the rest politely). */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../../i18n";
import "./toast.css";

export type ToastKind = "info" | "success" | "error";

export interface ToastInput {
  kind?: ToastKind;
  title: string;
  body?: string;
  /** A link shown under the body (a transaction on an explorer). */
  link?: { href: string; label: string };
  /** Milliseconds on screen; errors stay until dismissed unless given. */
  timeoutMs?: number;
}

interface Toast extends ToastInput {
  id: number;
  kind: ToastKind;
}

interface ToastApi {
  show(toast: ToastInput): number;
  dismiss(id: number): void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const { t } = useI18n();

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (input: ToastInput) => {
      const id = nextId.current++;
      const kind = input.kind ?? "info";
      setToasts((list) => [...list.slice(-4), { ...input, kind, id }]);
      const timeout = input.timeoutMs ?? (kind === "error" ? 0 : 6_000);
      if (timeout > 0) setTimeout(() => dismiss(id), timeout);
      return id;
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show, dismiss }), [show, dismiss]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <section className="toasts" aria-label={t("common.notifications")}>
        <div role="status" aria-live="polite" className="toasts__list">
          {toasts.filter((toast) => toast.kind !== "error").map((toast) => <ToastView key={toast.id} toast={toast} onDismiss={dismiss} />)}
        </div>
        <div role="alert" className="toasts__list">
          {toasts.filter((toast) => toast.kind === "error").map((toast) => <ToastView key={toast.id} toast={toast} onDismiss={dismiss} />)}
        </div>
      </section>
    </ToastContext.Provider>
  );
}

function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss(id: number): void }) {
  const { t } = useI18n();
  return (
    <div className={`toast toast--${toast.kind}`}>
      <div className="toast__text">
        <strong>{toast.title}</strong>
        {toast.body ? <p>{toast.body}</p> : null}
        {toast.link ? (
          <a href={toast.link.href} target="_blank" rel="noreferrer">
            {toast.link.label}
          </a>
        ) : null}
      </div>
      <button type="button" className="toast__close" onClick={() => onDismiss(toast.id)} aria-label={t("common.dismiss")}>
        ×
      </button>
    </div>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast outside ToastProvider");
  return api;
}
