import type { ReactNode } from 'react';

/**
 * A table of rows under column headings. The actions column (row buttons)
 * needs no visible heading, but screen readers still announce one.
 */
export function DataTable({ columns, actions = false, children }: { columns: readonly string[]; actions?: boolean; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
