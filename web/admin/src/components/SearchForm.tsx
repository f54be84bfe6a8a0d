import { useEffect, useState, type FormEvent } from 'react';

/** A labelled text filter applied on submit (Enter or the button), not on every key. */
export function SearchForm({
  id,
  label,
  value,
  placeholder,
  onSearch,
}: {
  id: string;
  label: string;
  value: string;
  placeholder?: string;
  onSearch: (value: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(draft.trim());
  };
  return (
    <form role="search" className="inline" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={draft} placeholder={placeholder} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit">Search</button>
    </form>
  );
}
