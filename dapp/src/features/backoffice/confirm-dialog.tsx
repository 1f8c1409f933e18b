/** A dialog that asks before a staff action (withdraw an announcement, delete an article); ReasonDialog adds the reason. */
import type { ReactNode } from "react";
import { Dialog } from "../../components/ui";
import { useI18n } from "../../i18n";
import { StaffErrorAlert } from "./staff-error-alert";

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What confirming will do, in words. */
  children: ReactNode;
  /** The confirm button's text. */
  confirm: string;
  pending: boolean;
  error: unknown;
  /** The action takes something away (the confirm button says so by its colour). */
  danger?: boolean;
  onConfirm(): void;
  onClose(): void;
}

export function ConfirmDialog({ open, title, children, confirm, pending, error, danger, onConfirm, onClose }: ConfirmDialogProps) {
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
          <button type="button" className={`button ${danger ? "button--sell" : "button--primary"}`} disabled={pending} onClick={onConfirm}>
            {confirm}
          </button>
        </>
      }
    >
      <div className="staff-form">
        {children}
        <StaffErrorAlert error={error} />
      </div>
    </Dialog>
  );
}
