import { type ReactNode, type RefObject, useEffect, useId, useRef } from 'react';
import { useI18n } from '../i18n';

/** Fired on window after a dialog closed and gave the focus back. */
export const DIALOG_CLOSED = 'desk:dialog-closed';

/**
 * A modal dialog on the native <dialog>: focus stays inside, Esc closes, and focus returns
 * to where it was when it closes.
 */
export function Modal({
  title,
  onClose,
  children,
  className,
  wide,
  initialFocus,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  wide?: boolean;
  /** The main button: focused when the dialog opens (otherwise the first control, the ×). */
  initialFocus?: RefObject<HTMLElement | null>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useI18n();
  const close = useRef(onClose);
  close.current = onClose;
  const focusFirst = useRef(initialFocus);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const before = document.activeElement as HTMLElement | null;
    if (typeof dialog.showModal === 'function' && !dialog.open) dialog.showModal();
    else dialog.setAttribute('open', '');
    focusFirst.current?.current?.focus();
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      before?.focus?.();
      // A view may want the focus elsewhere after any dialog (the lookup view: the order box).
      window.dispatchEvent(new Event(DIALOG_CLOSED));
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`modal ${wide ? 'modal-wide' : ''} ${className ?? ''}`}
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          close.current();
        }
      }}
    >
      <header className="modal-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label={t.common.close} onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <div className="modal-body">{children}</div>
    </dialog>
  );
}

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  danger,
  cancelLabel,
  onAnswer,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  /** The safe answer's words when "cancel" would be ambiguous (cancelling a job: "keep running"). */
  cancelLabel?: string;
  onAnswer: (yes: boolean) => void;
}) {
  const { t } = useI18n();
  const safe = useRef<HTMLButtonElement>(null);
  const main = useRef<HTMLButtonElement>(null);
  return (
    // A dangerous question starts on the safe answer; any other on the main one.
    <Modal title={title} onClose={() => onAnswer(false)} initialFocus={danger ? safe : main}>
      <p className="modal-text">{body}</p>
      <div className="modal-actions">
        <button ref={safe} type="button" className="button" onClick={() => onAnswer(false)}>
          {cancelLabel ?? t.common.cancel}
        </button>
        <button
          ref={main}
          type="button"
          className={`button ${danger ? 'button-danger' : 'button-primary'}`}
          onClick={() => onAnswer(true)}
        >
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
