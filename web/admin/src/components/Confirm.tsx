import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

type ConfirmOptions = { title: string; message: ReactNode };
type Confirm = (options: ConfirmOptions) => Promise<boolean>;

const ConfirmContext = createContext<Confirm | null>(null);

/** Asks before a destructive action, in a modal <dialog> rather than window.confirm. */
export function useConfirm(): Confirm {
  const confirm = useContext(ConfirmContext);
  if (!confirm) throw new Error('useConfirm outside ConfirmProvider');
  return confirm;
}

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const resolver = useRef<((answer: boolean) => void) | null>(null);
  const [options, setOptions] = useState<ConfirmOptions | null>(null);

  const settle = useCallback((answer: boolean) => {
    resolver.current?.(answer);
    resolver.current = null;
    if (dialog.current?.open) dialog.current.close();
    setOptions(null);
  }, []);

  const confirm = useCallback<Confirm>((next) => {
    // A second question supersedes an unanswered first one.
    resolver.current?.(false);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
      setOptions(next);
    });
  }, []);

  useEffect(() => {
    if (options && dialog.current && !dialog.current.open) {
      dialog.current.showModal();
      // Cancel has focus first, so a stray Enter never confirms.
      cancel.current?.focus();
    }
  }, [options]);

  return (
    <ConfirmContext value={confirm}>
      {children}
      {/* Escape fires close, which counts as Cancel. */}
      <dialog ref={dialog} className="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-message" onClose={() => settle(false)}>
        {options && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              settle(true);
            }}
          >
            <h2 id="confirm-title">{options.title}</h2>
            <div id="confirm-message">{options.message}</div>
            <div className="actions">
              <button type="button" ref={cancel} onClick={() => settle(false)}>
                Cancel
              </button>
              <button type="submit" className="danger">
                Confirm
              </button>
            </div>
          </form>
        )}
      </dialog>
    </ConfirmContext>
  );
}
