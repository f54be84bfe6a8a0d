import { useEffect, useState, type FormEvent } from 'react';
import { ErrorMessage } from './QueryView';
import { Select } from './Select';

/** Pick a new status and save it; the server decides whether the move is allowed. */
export function StatusForm<T extends string>({
  id,
  current,
  options,
  pending,
  error,
  onSave,
}: {
  id: string;
  current: T;
  options: readonly T[];
  pending: boolean;
  error: unknown;
  onSave: (status: T) => void;
}) {
  const [status, setStatus] = useState<T>(current);
  useEffect(() => setStatus(current), [current]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(status);
  };
  return (
    <form className="inline" onSubmit={submit}>
      <Select id={id} label="Status" value={status} options={options} onChange={(value) => value && setStatus(value)} />
      <button type="submit" disabled={pending || status === current}>
        Save status
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
