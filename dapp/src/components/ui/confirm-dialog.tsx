/** A dialog that asks before an action: what it will do (children), a way back (Cancel, or `cancel`) and the button
 *  that does it. The back office's adds its error alert around the same thing. */
import type { ReactNode } from "react";
import { useI18n } from "../../i18n";
import { Dialog } from "./dialog";

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What confirming will do, in words. */
  children: ReactNode;
  /** The confirm button's text. */
  confirm: string;
  /** The way back's text; "Cancel" by default. */
  cancel?: string;
  /** While the action runs the confirm button is disabled: a second click would send it twice. */
  pending?: boolean;
  /** The action takes something away (the confirm button says so by its colour). */
  danger?: boolean;
  onConfirm(): void;
  onClose(): void;
}

export function ConfirmDialog({ open, title, children, confirm, cancel, pending = false, danger = false, onConfirm, onClose }: ConfirmDialogProps) {
  const { t } = useI18n();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            {cancel ?? t("common.cancel")}
          </button>
          <button type="button" className={`button ${danger ? "button--sell" : "button--primary"}`} disabled={pending} onClick={onConfirm}>
            {confirm}
          </button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
