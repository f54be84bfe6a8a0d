import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useConfirm } from '../components/Confirm';
import { PageHeader } from '../components/PageHeader';
import { PagedTable } from '../components/PagedTable';
import { ErrorMessage } from '../components/QueryView';
import { intParam } from '../lib/params';
import { useInvalidate } from '../lib/refresh';
import { Link, useSearchState } from '../lib/router';
import { useTRPC, type RouterOutputs } from '../lib/trpc';

type Level = RouterOutputs['core']['level']['list']['data'][number];
type Values = { name: string; rank: number; minPoints: number; description: string | null };

function LevelForm({
  idPrefix,
  title,
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  title: string;
  initial?: Level;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (values: Values) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [rank, setRank] = useState(String(initial?.rank ?? ''));
  const [minPoints, setMinPoints] = useState(String(initial?.minPoints ?? ''));
  const [description, setDescription] = useState(initial?.description ?? '');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const values = { name: name.trim(), rank: Number(rank), minPoints: Number(minPoints), description: description.trim() || null };
    try {
      await onSubmit(values);
      if (!initial) {
        setName('');
        setRank('');
        setMinPoints('');
        setDescription('');
      }
    } catch {
      // Shown through `error`.
    }
  };
  return (
    <section className="card" aria-labelledby={`${idPrefix}-title`}>
      <h2 id={`${idPrefix}-title`}>{title}</h2>
      <form className="grid-form" onSubmit={submit}>
        <label htmlFor={`${idPrefix}-name`}>Name</label>
        <input id={`${idPrefix}-name`} required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${idPrefix}-rank`}>Rank</label>
        <input id={`${idPrefix}-rank`} type="number" required min={0} step={1} value={rank} onChange={(e) => setRank(e.target.value)} />
        <label htmlFor={`${idPrefix}-points`}>Minimum points</label>
        <input id={`${idPrefix}-points`} type="number" required min={0} step={1} value={minPoints} onChange={(e) => setMinPoints(e.target.value)} />
        <label htmlFor={`${idPrefix}-description`}>Description</label>
        <textarea id={`${idPrefix}-description`} maxLength={500} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        <div className="actions">
          <button type="submit" className="primary" disabled={pending}>
            {submitLabel}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}

export function Levels() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const confirm = useConfirm();
  const [search, update] = useSearchState();
  const page = intParam(search, 'page');
  const editId = search.get('edit');
  const levels = useQuery({ ...trpc.core.level.list.queryOptions({ page, limit: 50 }), placeholderData: keepPreviousData });
  const refresh = () => invalidate(trpc.core.level.pathKey());
  const create = useMutation(trpc.core.level.create.mutationOptions({ onSuccess: refresh }));
  const save = useMutation(
    trpc.core.level.update.mutationOptions({
      onSuccess: async () => {
        await refresh();
        update({ edit: undefined });
      },
    }),
  );
  const remove = useMutation(trpc.core.level.delete.mutationOptions({ onSuccess: refresh }));
  const askDelete = async (level: Level) => {
    if (await confirm({ title: 'Delete level?', message: `Delete the level “${level.name}”?` })) remove.mutate({ id: level.id });
  };
  const editing = levels.data?.data.find((level) => level.id === editId);

  return (
    <>
      <PageHeader title="Levels" />
      <div className="cards">
        {editId && editing && (
          <LevelForm
            key={editing.id}
            idPrefix="edit-level"
            title={`Edit level ${editing.name}`}
            initial={editing}
            submitLabel="Save"
            pending={save.isPending}
            error={save.error}
            onSubmit={(values) => save.mutateAsync({ id: editing.id, ...values })}
            onCancel={() => update({ edit: undefined })}
          />
        )}
        {editId && levels.isSuccess && !editing && (
          <p role="alert" className="error">
            The level to edit is not on this page.
          </p>
        )}
        <LevelForm
          idPrefix="new-level"
          title="New level"
          submitLabel="Create level"
          pending={create.isPending}
          error={create.error}
          onSubmit={(values) => create.mutateAsync(values)}
        />
      </div>
      <ErrorMessage error={remove.error} />
      <PagedTable
        query={levels}
        columns={['Name', 'Rank', 'Minimum points', 'Description']}
        actions
        empty="No levels yet"
        noun="levels"
        onPage={(next) => update({ page: next, edit: undefined })}
        row={(level) => (
          <tr key={level.id}>
            <td>{level.name}</td>
            <td className="num">{level.rank}</td>
            <td className="num">{level.minPoints.toLocaleString()}</td>
            <td>{level.description || '—'}</td>
            <td className="row-actions">
              <Link to={`/levels?${new URLSearchParams({ ...(page > 1 ? { page: String(page) } : {}), edit: level.id })}`} aria-label={`Edit ${level.name}`} className="button">
                Edit
              </Link>
              <button type="button" className="danger" aria-label={`Delete ${level.name}`} onClick={() => askDelete(level)} disabled={remove.isPending}>
                Delete
              </button>
            </td>
          </tr>
        )}
      />
    </>
  );
}
