import { useEffect, useRef, type ReactNode } from 'react';
import { ImpersonationBanner } from './components/ImpersonationBanner';
import { Nav } from './components/Nav';
import { ErrorMessage, Loading } from './components/QueryView';
import { useLocation } from './lib/router';
import { isAdminSession, useSession } from './lib/session';
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

function route(path: string): ReactNode {
  for (const [pattern, render] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    let id: string;
    try {
      id = decodeURIComponent(match[1] ?? '');
    } catch {
      // A malformed escape (/users/%E0) names no record.
      return <NotFound />;
    }
    return render(id);
  }
  return <NotFound />;
}

/**
 * After moving to another page, focus goes to its heading, so keyboard and
 * screen-reader users start on the new page rather than on the link they
 * left. Only when the path changes: filters and pages of a list keep the
 * focus where it is. Not on the first load, where the browser starts at the top.
 */
function useFocusOnNavigation(path: string) {
  const main = useRef<HTMLElement>(null);
  const shown = useRef(path);
  useEffect(() => {
    if (shown.current === path) return;
    shown.current = path;
    const target = main.current?.querySelector<HTMLElement>('h1') ?? main.current;
    target?.focus({ preventScroll: true });
  }, [path]);
  return main;
}

function Console({ email }: { email: string }) {
  const { path } = useLocation();
  const main = useFocusOnNavigation(path);
  return (
    <>
      <Nav email={email} />
      <main id="main" ref={main} tabIndex={-1}>
        {route(path)}
      </main>
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
  const isAdmin = isAdminSession(session.data);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      {impersonating && <ImpersonationBanner email={user.email} />}
      {/* Keyed by the user: another admin's console starts with nothing of the last one's state. */}
      {isAdmin ? <Console key={user.id} email={user.email} /> : <AdminsOnly email={user.email} impersonating={impersonating} />}
    </>
  );
}
