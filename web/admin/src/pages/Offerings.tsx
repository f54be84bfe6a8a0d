import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryView } from '../components/QueryView';
import { SearchForm } from '../components/SearchForm';
import { Select } from '../components/Select';
import { formatDate, formatMoney } from '../lib/format';
import { intParam, oneOf } from '../lib/params';
import { Link, useSearchState } from '../lib/router';
import { OFFERING_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function Offerings() {
  const trpc = useTRPC();
  const [search, update] = useSearchState();
  const page = intParam(search, 'page');
  const status = oneOf(search, 'status', OFFERING_STATUSES);
  const sellerId = search.get('seller') || undefined;
  const offerings = useQuery({
    ...trpc.core.offering.list.queryOptions({ page, limit: 20, status, sellerId }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Offerings" />
      <div className="filters">
        <Select
          id="offering-status"
          label="Status"
          all="All"
          value={status}
          options={OFFERING_STATUSES}
          onChange={(value) => update({ status: value, page: undefined })}
        />
        <SearchForm id="offering-seller" label="Seller ID" value={sellerId ?? ''} onSearch={(value) => update({ seller: value, page: undefined })} />
      </div>
      <QueryView query={offerings} isEmpty={(data) => data.data.length === 0} empty="No offerings found">
        {(data) => (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Seller</th>
                    <th scope="col">Price</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((offering) => (
                    <tr key={offering.id}>
                      <td>
                        <Link to={`/offerings/${offering.id}`}>{offering.title}</Link>
                      </td>
                      <td>
                        <Link to={`/users/${offering.seller.id}`}>{offering.seller.name || offering.seller.id}</Link>
                      </td>
                      <td className="num">{formatMoney(offering.priceCents, offering.currency)}</td>
                      <td>
                        <Badge value={offering.status} />
                      </td>
                      <td>{formatDate(offering.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager {...data.pagination} noun="offerings" onPage={(next) => update({ page: next })} />
          </>
        )}
      </QueryView>
    </>
  );
}
