import { PageHeader } from '../components/PageHeader';
import { Link } from '../lib/router';

export function NotFound() {
  return (
    <>
      <PageHeader title="Not found" />
      <p>
        There is no such page. <Link to="/">Back to the overview</Link>
      </p>
    </>
  );
}
