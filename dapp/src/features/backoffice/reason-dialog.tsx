/** A confirmation dialog that asks for the reason the audit log keeps (halt a market, remove from the deny-list). */
import { useState, type ReactNode } from "react";
import { Dialog, TextAreaField } from "../../components/ui";
import { useI18n } from "../../i18n";
import { MAX_REASON_CHARS, reasonProblem } from "./forms";
import { staffErrorText } from "./staff-errors";

interface ReasonDialogProps {
  open: boolean;
  title: string;
  /** What confirming will do, in words. */
  children: ReactNode;
  /** The confirm button's text. */
  confirm: string;
  pending: boolean;
  error: unknown;
  danger?: boolean;
  onConfirm(reason: string): void;
  onClose(): void;
}

export function ReasonDialog({ open, title, children, confirm, pending, error, danger, onConfirm, onClose }: ReasonDialogProps) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const [attempted, setAttempted] = useState(false);
  const problem = reasonProblem(reason);

  function close() {
    setReason("");
    setAttempted(false);
    onClose();
  }

  return (
    <Dialog
      open={open}
      title={title}
      onClose={close}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className={`button ${danger ? "button--sell" : "button--primary"}`}
            disabled={pending}
            onClick={() => {
              setAttempted(true);
              if (!problem) onConfirm(reason.trim());
            }}
          >
            {confirm}
          </button>
        </>
      }
    >
      <div className="staff-form">
        {children}
        <TextAreaField
          label={t("backoffice.reason")}
          value={reason}
          maxLength={MAX_REASON_CHARS}
          onChange={(event) => setReason(event.target.value)}
          error={attempted && problem ? t(problem.key, problem.params) : null}
        />
        {error ? (
          <p className="form-error" role="alert">
            {staffErrorText(error, t)}
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}
