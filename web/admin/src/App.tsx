import type { ReactNode } from 'react';
import { ImpersonationBanner } from './components/ImpersonationBanner';
import { Nav } from './components/Nav';
import { ErrorMessage, Loading } from './components/QueryView';
import { useLocation } from './lib/router';
import { useSession } from './lib/session';
import { AdminsOnly } from './pages/AdminsOnly';
import { Files } from './pages/Files';
import { Levels } from './pages/Levels';
import { NotFound } from './pages/NotFound';
import { OfferingDetail } from './pages/OfferingDetail';
import { Offerings } from './pages/Offerings';
import { OrderDetail } from './pages/OrderDetail';
import { Orders } from './pages/Orders';
import { Overview } from './pages/Overview';
import { PostDetail } from './pages/PostDetail';
import { Posts } from './pages/Posts';
import { SignIn } from './pages/SignIn';
import { UserDetail } from './pages/UserDetail';
import { Users } from './pages/Users';

const routes: [RegExp, (id: string) => ReactNode][] = [
  [/^\/$/, () => <Overview />],
  [/^\/users$/, () => <Users />],
  [/^\/users\/([^/]+)$/, (id) => <UserDetail key={id} id={id} />],
  [/^\/posts$/, () => <Posts />],
  [/^\/posts\/([^/]+)$/, (id) => <PostDetail key={id} id={id} />],
  [/^\/offerings$/, () => <Offerings />],
  [/^\/offerings\/([^/]+)$/, (id) => <OfferingDetail key={id} id={id} />],
  [/^\/orders$/, () => <Orders />],
  [/^\/orders\/([^/]+)$/, (id) => <OrderDetail key={id} id={id} />],
  [/^\/levels$/, () => <Levels />],
  [/^\/files$/, () => <Files />],
];

function Console({ email }: { email: string }) {
  const { path } = useLocation();
  let page: ReactNode = <NotFound />;
  for (const [pattern, render] of routes) {
    const match = pattern.exec(path);
    if (match) {
      page = render(decodeURIComponent(match[1] ?? ''));
      break;
    }
  }
  return (
    <>
      <Nav email={email} />
      <main id="main">{page}</main>
    </>
  );
}

export function App() {
  const session = useSession();
  if (session.isPending)
    return (
      <main id="main" className="narrow">
        <Loading />
      </main>
    );
  if (session.isError)
    return (
      <main id="main" className="narrow">
        <ErrorMessage error={session.error} retry={() => void session.refetch()} />
      </main>
    );
  if (!session.data) return <SignIn />;

  const { user, session: current } = session.data;
  // The server never gives an impersonation session admin rights, whatever the
  // user's role: nothing admin is mounted (and so fetched) under one.
  const impersonating = Boolean(current.impersonatedBy);
  const isAdmin = user.role === 'admin' && !impersonating;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      {impersonating && <ImpersonationBanner email={user.email} />}
      {isAdmin ? <Console email={user.email} /> : <AdminsOnly email={user.email} impersonating={impersonating} />}
    </>
  );
}
