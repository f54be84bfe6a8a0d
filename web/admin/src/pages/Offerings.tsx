import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { PagedTable } from '../components/PagedTable';
import { SearchForm } from '../components/SearchForm';
import { Select } from '../components/Select';
import { formatDate, formatMoney } from '../lib/format';
import { useListParams } from '../lib/listParams';
import { Link } from '../lib/router';
import { OFFERING_STATUSES } from '../lib/statuses';
import { useTRPC } from '../lib/trpc';

export function Offerings() {
  const trpc = useTRPC();
  const { search, page, status, filter, goTo } = useListParams(OFFERING_STATUSES);
  const sellerId = search.get('seller') || undefined;
  const offerings = useQuery({
    ...trpc.core.offering.list.queryOptions({ page, limit: 20, status, sellerId }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Offerings" />
      <div className="filters">
        <Select id="offering-status" label="Status" all="All" value={status} options={OFFERING_STATUSES} onChange={(value) => filter({ status: value })} />
        <SearchForm id="offering-seller" label="Seller ID" value={sellerId ?? ''} onSearch={(value) => filter({ seller: value })} />
      </div>
      <PagedTable
        query={offerings}
        columns={['Title', 'Seller', 'Price', 'Status', 'Created']}
        empty="No offerings found"
        noun="offerings"
        onPage={goTo}
        row={(offering) => (
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
        )}
      />
    </>
  );
}
