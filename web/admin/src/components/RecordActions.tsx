import { Card } from './Card';
import { DeleteCard } from './DeleteCard';
import { StatusForm } from './StatusForm';

type Mutation<V> = { isPending: boolean; error: unknown; mutate: (variables: V) => void };

/**
 * The "Change status" and "Delete" cards of a record with a status (a post,
 * an offering). `noun` names the record in the buttons and the dialog, and
 * prefixes the element ids.
 */
export function RecordActions<S extends string>({
  noun,
  id,
  name,
  status,
  statuses,
  update,
  remove,
}: {
  noun: string;
  id: string;
  name: string;
  status: S;
  statuses: readonly S[];
  update: Mutation<{ id: string; status: S }>;
  remove: Mutation<{ id: string }>;
}) {
  return (
    <>
      <Card titleId={`${noun}-status-title`} title="Change status">
        <StatusForm
          id={`${noun}-status`}
          current={status}
          options={statuses}
          pending={update.isPending}
          error={update.error}
          onSave={(next) => update.mutate({ id, status: next })}
        />
      </Card>
      <DeleteCard
        id={`${noun}-delete`}
        noun={noun}
        message={`Delete “${name}”? This cannot be undone.`}
        pending={remove.isPending}
        error={remove.error}
        onDelete={() => remove.mutate({ id })}
      />
    </>
  );
}
