/** A confirmation dialog for an action that needs no reason (withdraw an announcement, delete an article). */
import type { ReactNode } from "react";
import { Dialog } from "../../components/ui";
import { useI18n } from "../../i18n";
import { staffErrorText } from "./staff-errors";

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What confirming will do, in words. */
  children: ReactNode;
  /** The confirm button's text. */
  confirm: string;
  pending: boolean;
  error: unknown;
  onConfirm(): void;
  onClose(): void;
}

export function ConfirmDialog({ open, title, children, confirm, pending, error, onConfirm, onClose }: ConfirmDialogProps) {
  const { t } = useI18n();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="button" className="button button--sell" disabled={pending} onClick={onConfirm}>
            {confirm}
          </button>
        </>
      }
    >
      {children}
      {error ? (
        <p className="form-error" role="alert">
          {staffErrorText(error, t)}
        </p>
      ) : null}
    </Dialog>
  );
}
