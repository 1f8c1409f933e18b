/** A modal dialog on the native <dialog> (focus is trapped, then given back; Escape closes it; the page behind is inert). */
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

/**
 * Show `dialog` as a modal; the function returned closes it and gives focus back to the element that had it before
 * (the button that opened it) if focus was left on nothing (<body>) or inside the dialog. Many callers remove a
 * dialog while it is open (the review of an order just placed), and a removed element leaves focus on <body>: the
 * keyboard user would start again from the top of the page. Focus the page has put elsewhere since stays there.
 */
export function showModal(dialog: HTMLDialogElement): () => void {
  const page = dialog.ownerDocument;
  // every element that can hold focus (HTML, SVG, MathML) can be given it back
  const opener = page.activeElement as (Element & HTMLOrSVGElement) | null;
  dialog.showModal();
  return () => {
    if (dialog.open) dialog.close();
    const focused = page.activeElement;
    const lost = focused === null || focused === page.body || dialog.contains(focused);
    if (lost && opener !== null && opener !== page.body && opener.isConnected) opener.focus();
  };
}

export function Dialog({ open, title, titleLang, onClose, children, footer }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useI18n();

  useEffect(() => {
    const dialog = ref.current;
    if (!open || !dialog) return undefined;
    return showModal(dialog); // closed when `open` turns false, and also when the dialog is removed while open
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
