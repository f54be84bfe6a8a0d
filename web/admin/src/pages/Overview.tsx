import { useQuery } from '@tanstack/react-query';
import { PageHeader } from '../components/PageHeader';
import { QueryView } from '../components/QueryView';
import { Badge } from '../components/Badge';
import { formatBytes, humanize } from '../lib/format';
import { Link } from '../lib/router';
import { useTRPC } from '../lib/trpc';

function Counts({ title, to, counts }: { title: string; to?: string; counts: Record<string, number> }) {
  return (
    <section className="card" aria-labelledby={`count-${title}`}>
      <h2 id={`count-${title}`}>{to ? <Link to={to}>{title}</Link> : title}</h2>
      <dl className="counts">
        {Object.entries(counts).map(([label, value]) => (
          <div key={label}>
            <dt>{humanize(label)}</dt>
            <dd>{value.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function Overview() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.main.admin.overview.queryOptions());
  return (
    <>
      <PageHeader title="Overview" />
      <QueryView query={overview}>
        {(data) => (
          <div className="cards">
            <Counts title="Users" to="/users" counts={{ total: data.users.total, admins: data.users.admins, banned: data.users.banned }} />
            <Counts title="Posts" to="/posts" counts={data.posts} />
            <Counts title="Offerings" to="/offerings" counts={data.offerings} />
            <Counts title="Orders" to="/orders" counts={{ total: Object.values(data.orders).reduce((sum, n) => sum + n, 0), ...data.orders }} />
            <section className="card" aria-labelledby="count-files">
              <h2 id="count-files">
                <Link to="/files">Files</Link>
              </h2>
              <dl className="counts">
                <div>
                  <dt>Files</dt>
                  <dd>{data.files.count.toLocaleString()}</dd>
                </div>
                <div>
                  <dt>Stored</dt>
                  <dd title={`${data.files.bytes} bytes`}>{formatBytes(data.files.bytes)}</dd>
                </div>
              </dl>
            </section>
            <section className="card" aria-labelledby="count-checks">
              <h2 id="count-checks">Ready checks</h2>
              <dl className="counts">
                {Object.entries(data.checks).map(([name, state]) => (
                  <div key={name}>
                    <dt>{humanize(name)}</dt>
                    <dd>
                      <Badge value={state} />
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
            <section className="card" aria-labelledby="count-server">
              <h2 id="count-server">Server</h2>
              <dl className="counts">
                <div>
                  <dt>Version</dt>
                  <dd>{data.version}</dd>
                </div>
                <div>
                  <dt>Environment</dt>
                  <dd>{data.environment}</dd>
                </div>
              </dl>
            </section>
          </div>
        )}
      </QueryView>
    </>
  );
}
