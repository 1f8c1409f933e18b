/** A modal dialog on the native <dialog> (focus is trapped, Escape closes it, the page behind is inert). */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { useI18n } from "../../i18n";
import "./dialog.css";

interface DialogProps {
  open: boolean;
  title: string;
  /** The title's language when it is not the page's (text staff wrote, shown untranslated). */
  titleLang?: string;
  onClose(): void;
  children: ReactNode;
  /** Buttons at the bottom (Confirm, Cancel). */
  footer?: ReactNode;
}

export function Dialog({ open, title, titleLang, onClose, children, footer }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useI18n();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault(); // let React state close it, so `open` stays the truth
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose(); // a click on the backdrop
      }}
    >
      {open ? (
        <div className="dialog__body">
          <header className="dialog__header">
            <h2 id={titleId} lang={titleLang}>
              {title}
            </h2>
            <button type="button" className="dialog__close" onClick={onClose} aria-label={t("common.close")}>
              ×
            </button>
          </header>
          <div className="dialog__content">{children}</div>
          {footer ? <footer className="dialog__footer">{footer}</footer> : null}
        </div>
      ) : null}
    </dialog>
  );
}
