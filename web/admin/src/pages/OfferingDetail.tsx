import { useMutation, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { Card } from '../components/Card';
import { DetailPage } from '../components/DetailPage';
import { RecordActions } from '../components/RecordActions';
import { formatDate, formatMoney } from '../lib/format';
import { useRecordRefresh } from '../lib/refresh';
import { Link } from '../lib/router';
import { OFFERING_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function OfferingDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const refresh = useRecordRefresh('/offerings', trpc.core.offering);
  const offering = useQuery(trpc.core.offering.get.queryOptions({ id }));
  const update = useMutation(trpc.core.offering.update.mutationOptions({ onSuccess: refresh.changed }));
  const remove = useMutation(trpc.core.offering.delete.mutationOptions({ onSuccess: refresh.deleted }));
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
          <RecordActions noun="offering" id={id} name={data.title} status={data.status} statuses={OFFERING_STATUSES} update={update} remove={remove} />
        </>
      )}
    </DetailPage>
  );
}
