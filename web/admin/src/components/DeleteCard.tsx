import { Card } from './Card';
import { useConfirm } from './Confirm';
import { ErrorMessage } from './QueryView';

/** A detail page's "Delete" card. Deleting cannot be undone, so it asks first. */
export function DeleteCard({
  id,
  noun,
  message,
  pending,
  error,
  onDelete,
}: {
  /** Prefix of the heading's id. */
  id: string;
  /** What is deleted: "post" reads "Delete post?" and "Delete post". */
  noun: string;
  message: string;
  pending: boolean;
  error: unknown;
  onDelete: () => void;
}) {
  const confirm = useConfirm();
  const ask = async () => {
    if (await confirm({ title: `Delete ${noun}?`, message })) onDelete();
  };
  return (
    <Card titleId={`${id}-title`} title="Delete">
      <button type="button" className="danger" onClick={ask} disabled={pending}>
        {`Delete ${noun}`}
      </button>
      <ErrorMessage error={error} />
    </Card>
  );
}
