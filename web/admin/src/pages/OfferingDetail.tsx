import { useMutation, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { Card } from '../components/Card';
import { DeleteCard } from '../components/DeleteCard';
import { DetailPage } from '../components/DetailPage';
import { StatusCard } from '../components/StatusCard';
import { formatDate, formatMoney } from '../lib/format';
import { useInvalidate } from '../lib/invalidate';
import { Link, navigate } from '../lib/router';
import { OFFERING_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function OfferingDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const offering = useQuery(trpc.core.offering.get.queryOptions({ id }));
  const update = useMutation(trpc.core.offering.update.mutationOptions({ onSuccess: () => invalidate(trpc.core.offering.pathKey()) }));
  const remove = useMutation(
    trpc.core.offering.delete.mutationOptions({
      onSuccess: () => {
        navigate('/offerings');
        return invalidate(trpc.core.offering.list.pathKey());
      },
    }),
  );
  return (
    <DetailPage title={offering.data?.title ?? 'Offering'} back={{ to: '/offerings', label: 'All offerings' }} query={offering}>
      {(data) => (
        <>
          <Card titleId="offering-details" title="Details" wide>
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
          </Card>
          <StatusCard
            id="offering-status"
            current={data.status}
            options={OFFERING_STATUSES}
            pending={update.isPending}
            error={update.error}
            onSave={(status) => update.mutate({ id, status })}
          />
          <DeleteCard
            id="offering-delete"
            noun="offering"
            message={`Delete “${data.title}”? This cannot be undone.`}
            pending={remove.isPending}
            error={remove.error}
            onDelete={() => remove.mutate({ id })}
          />
        </>
      )}
    </DetailPage>
  );
}
