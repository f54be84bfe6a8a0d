import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from '../lib/router';
import { signOut } from '../lib/session';
import { ErrorMessage } from './QueryView';

const sections = [
  { to: '/', label: 'Overview' },
  { to: '/users', label: 'Users' },
  { to: '/posts', label: 'Posts' },
  { to: '/offerings', label: 'Offerings' },
  { to: '/orders', label: 'Orders' },
  { to: '/levels', label: 'Levels' },
  { to: '/files', label: 'Files' },
];

export function SignOutButton() {
  const queryClient = useQueryClient();
  const mutation = useMutation({ mutationFn: () => signOut(queryClient) });
  return (
    <>
      <button type="button" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        Sign out
      </button>
      <ErrorMessage error={mutation.error} />
    </>
  );
}

export function Nav({ email }: { email: string }) {
  const { path } = useLocation();
  const active = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <header className="topbar">
      <nav aria-label="Main">
        <ul>
          {sections.map((section) => (
            <li key={section.to}>
              <Link to={section.to} aria-current={active(section.to) ? 'page' : undefined}>
                {section.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="account">
        <span className="email" title="Signed in as">
          {email}
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}
