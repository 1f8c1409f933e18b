/** A ConfirmDialog that also asks for the reason the audit log keeps (halt a market, remove from the deny-list). */
import { useState } from "react";
import { useI18n } from "../../i18n";
import { ConfirmDialog, type ConfirmDialogProps } from "./confirm-dialog";
import { reasonProblem } from "./forms";
import { ReasonField } from "./reason-field";

interface ReasonDialogProps extends Omit<ConfirmDialogProps, "onConfirm"> {
  onConfirm(reason: string): void;
}

export function ReasonDialog({ children, onConfirm, onClose, ...dialog }: ReasonDialogProps) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const [attempted, setAttempted] = useState(false);
  const problem = reasonProblem(reason);

  function close() {
    setReason("");
    setAttempted(false);
    onClose();
  }

  function confirm() {
    setAttempted(true);
    if (!problem) onConfirm(reason.trim());
  }

  return (
    <ConfirmDialog {...dialog} onConfirm={confirm} onClose={close}>
      {children}
      <ReasonField value={reason} onChange={setReason} error={attempted && problem ? t(problem.key, problem.params) : null} />
    </ConfirmDialog>
  );
}
