/** A labelled <select> over fixed values, with an optional "All" choice for filters. */
export function Select<T extends string>({
  id,
  label,
  value,
  options,
  all,
  onChange,
}: {
  id: string;
  label: string;
  value: T | undefined;
  options: readonly T[];
  all?: string;
  onChange: (value: T | undefined) => void;
}) {
  return (
    <span className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(options.find((option) => option === e.target.value))}>
        {all !== undefined && <option value="">{all}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </span>
  );
}
