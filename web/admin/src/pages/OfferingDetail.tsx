import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { useConfirm } from '../components/Confirm';
import { PageHeader } from '../components/PageHeader';
import { ErrorMessage, QueryView } from '../components/QueryView';
import { StatusForm } from '../components/StatusForm';
import { formatDate, formatMoney } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { OFFERING_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function OfferingDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const confirm = useConfirm();
  const offering = useQuery(trpc.core.offering.get.queryOptions({ id }));
  const update = useMutation(
    trpc.core.offering.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.core.offering.pathKey() }) }),
  );
  const remove = useMutation(
    trpc.core.offering.delete.mutationOptions({
      onSuccess: () => {
        navigate('/offerings');
        return queryClient.invalidateQueries({ queryKey: trpc.core.offering.list.pathKey() });
      },
    }),
  );
  const askDelete = async (title: string) => {
    if (await confirm({ title: 'Delete offering?', message: `Delete “${title}”? This cannot be undone.` })) remove.mutate({ id });
  };
  return (
    <>
      <PageHeader title={offering.data?.title ?? 'Offering'}>
        <Link to="/offerings">← All offerings</Link>
      </PageHeader>
      <QueryView query={offering}>
        {(data) => (
          <div className="cards">
            <section className="card wide" aria-labelledby="offering-details">
              <h2 id="offering-details">Details</h2>
              <dl className="fields">
                <dt>ID</dt>
                <dd className="mono">{data.id}</dd>
                <dt>Seller</dt>
                <dd>
                  <Link to={`/users/${data.seller.id}`}>{data.seller.name || data.seller.id}</Link>
                </dd>
                <dt>Price</dt>
                <dd>{formatMoney(data.priceCents, data.currency)}</dd>
                <dt>Status</dt>
                <dd>
                  <Badge value={data.status} />
                </dd>
                <dt>Lowest level rank</dt>
                <dd>{data.minLevelRank ?? '—'}</dd>
                <dt>Created</dt>
                <dd>{formatDate(data.createdAt)}</dd>
                <dt>Updated</dt>
                <dd>{formatDate(data.updatedAt)}</dd>
              </dl>
              <h3>Description</h3>
              <div className="content">{data.description || <span className="muted">No description</span>}</div>
            </section>
            <section className="card" aria-labelledby="offering-status-title">
              <h2 id="offering-status-title">Change status</h2>
              <StatusForm
                id="offering-status"
                current={data.status}
                options={OFFERING_STATUSES}
                pending={update.isPending}
                error={update.error}
                onSave={(status) => update.mutate({ id, status })}
              />
            </section>
            <section className="card" aria-labelledby="offering-delete-title">
              <h2 id="offering-delete-title">Delete</h2>
              <button type="button" className="danger" onClick={() => askDelete(data.title)} disabled={remove.isPending}>
                Delete offering
              </button>
              <ErrorMessage error={remove.error} />
            </section>
          </div>
        )}
      </QueryView>
    </>
  );
}
