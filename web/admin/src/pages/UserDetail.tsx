import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Badge } from '../components/Badge';
import { useConfirm } from '../components/Confirm';
import { DataTable } from '../components/DataTable';
import { DeleteCard } from '../components/DeleteCard';
import { DetailPage } from '../components/DetailPage';
import { ErrorMessage, QueryView } from '../components/QueryView';
import { authClient, unwrap, type AuthSession, type AuthUser } from '../lib/auth';
import { formatDate } from '../lib/format';
import { sessionKey } from '../lib/session';
import { href, Link, navigate } from '../lib/router';
import { useTRPC } from '../lib/trpc';

/**
 * After an action on a user, everything under ['admin'] (BetterAuth's user,
 * list and sessions) may have changed, and so may the overview (admins and
 * banned users counted) and the user's tRPC profile (its role).
 */
function useAdminAction<T, V = void>(run: (variables: V) => Promise<T>, after?: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async () => {
      after?.();
      await Promise.all(
        [['admin'], trpc.main.admin.overview.pathKey(), trpc.core.user.get.pathKey()].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      );
    },
  });
}

function Done({ show, children }: { show: boolean; children: string }) {
  return show ? (
    <p role="status" className="ok">
      {children}
    </p>
  ) : null;
}

function Profile({ user }: { user: AuthUser }) {
  const trpc = useTRPC();
  const details = useQuery(trpc.core.user.get.queryOptions({ id: user.id }));
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <QueryView query={details}>
        {(data) => (
          <dl className="fields">
            <dt>ID</dt>
            <dd className="mono">{data.id}</dd>
            <dt>Email</dt>
            <dd>
              {data.email} {data.emailVerified ? <Badge value="Verified" /> : <Badge value="Unverified" />}
            </dd>
            <dt>Name</dt>
            <dd>{data.name || '—'}</dd>
            <dt>Signed up</dt>
            <dd>{formatDate(data.createdAt)}</dd>
            <dt>Updated</dt>
            <dd>{formatDate(data.updatedAt)}</dd>
            <dt>Owns</dt>
            <dd>
              <Link to={`/posts?author=${data.id}`}>{data._count.posts} posts</Link>, {data._count.orders} orders,{' '}
              {data._count.profiles} profiles, <Link to={`/files?user=${data.id}`}>files</Link>
            </dd>
          </dl>
        )}
      </QueryView>
    </section>
  );
}

function RoleForm({ user }: { user: AuthUser }) {
  const confirm = useConfirm();
  const current = user.role === 'admin' ? 'admin' : 'user';
  const [role, setRole] = useState<'admin' | 'user'>(current);
  useEffect(() => setRole(current), [current]);
  const save = useAdminAction(() => unwrap(authClient.admin.setRole({ userId: user.id, role })));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await confirm({ title: 'Change role?', message: `Make ${user.email} ${role === 'admin' ? 'an admin' : 'a user'}?` })) save.mutate();
  };
  return (
    <section className="card" aria-labelledby="role-title">
      <h2 id="role-title">Role</h2>
      <form className="inline" onSubmit={submit}>
        <label htmlFor="user-role">Role</label>
        <select id="user-role" value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'user')}>
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit" disabled={save.isPending || role === current}>
          Save role
        </button>
      </form>
      <ErrorMessage error={save.error} />
      <Done show={save.isSuccess}>Role saved.</Done>
    </section>
  );
}

function BanForm({ user }: { user: AuthUser }) {
  const confirm = useConfirm();
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('');
  const ban = useAdminAction(
    () =>
      unwrap(
        authClient.admin.banUser({
          userId: user.id,
          banReason: reason.trim() || undefined,
          banExpiresIn: days ? Math.round(Number(days) * 86_400) : undefined,
        }),
      ),
    () => {
      setReason('');
      setDays('');
    },
  );
  const unban = useAdminAction(() => unwrap(authClient.admin.unbanUser({ userId: user.id })));
  const submitBan = async (event: FormEvent) => {
    event.preventDefault();
    const until = days ? ` for ${days} day(s)` : ' with no expiry';
    if (await confirm({ title: 'Ban user?', message: `Ban ${user.email}${until}? All of their sessions end now.` })) ban.mutate();
  };
  const submitUnban = async () => {
    if (await confirm({ title: 'Unban user?', message: `Lift the ban on ${user.email}?` })) unban.mutate();
  };
  return (
    <section className="card" aria-labelledby="ban-title">
      <h2 id="ban-title">Ban</h2>
      {user.banned ? (
        <>
          <p>
            <Badge value="Banned" /> {user.banReason ? `Reason: ${user.banReason}.` : ''}{' '}
            {user.banExpires ? `Until ${formatDate(user.banExpires)}.` : 'No expiry.'}
          </p>
          <button type="button" onClick={submitUnban} disabled={unban.isPending}>
            Unban
          </button>
        </>
      ) : (
        <form className="stack" onSubmit={submitBan}>
          <p>
            <Badge value="Active" /> Not banned.
          </p>
          <label htmlFor="ban-reason">Ban reason</label>
          <input id="ban-reason" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
          <label htmlFor="ban-days">Expires in days (empty: never)</label>
          <input id="ban-days" type="number" min="0.01" step="any" inputMode="decimal" value={days} onChange={(e) => setDays(e.target.value)} />
          <button type="submit" className="danger" disabled={ban.isPending}>
            Ban user
          </button>
        </form>
      )}
      <ErrorMessage error={ban.error ?? unban.error} />
    </section>
  );
}

function Sessions({ user }: { user: AuthUser }) {
  const confirm = useConfirm();
  const sessions = useQuery({
    queryKey: ['admin', 'sessions', user.id],
    queryFn: () => unwrap<{ sessions: AuthSession[] }>(authClient.admin.listUserSessions({ userId: user.id })),
  });
  const revoke = useAdminAction((sessionToken: string) => unwrap(authClient.admin.revokeUserSession({ sessionToken })));
  const revokeAll = useAdminAction(() => unwrap(authClient.admin.revokeUserSessions({ userId: user.id })));
  const askRevoke = async (token: string, created: string) => {
    if (await confirm({ title: 'Revoke session?', message: `End the session of ${user.email} started ${created}?` })) revoke.mutate(token);
  };
  const askRevokeAll = async () => {
    if (await confirm({ title: 'Revoke all sessions?', message: `Sign ${user.email} out everywhere?` })) revokeAll.mutate();
  };
  return (
    <section className="card wide" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <QueryView query={sessions} isEmpty={(data) => data.sessions.length === 0} empty="No sessions">
        {(data) => (
          <>
            <DataTable columns={['Started', 'Expires', 'IP address', 'User agent', 'Impersonated by']} actions>
              {data.sessions.map((session) => {
                const created = formatDate(session.createdAt);
                return (
                  <tr key={session.id}>
                    <td>{created}</td>
                    <td>{formatDate(session.expiresAt)}</td>
                    <td>{session.ipAddress || '—'}</td>
                    <td className="ua">{session.userAgent || '—'}</td>
                    <td className="mono">{session.impersonatedBy || '—'}</td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Revoke session started ${created}`}
                        onClick={() => askRevoke(session.token, created)}
                        disabled={revoke.isPending}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                );
              })}
            </DataTable>
            <button type="button" className="danger" onClick={askRevokeAll} disabled={revokeAll.isPending}>
              Revoke all sessions
            </button>
          </>
        )}
      </QueryView>
      <ErrorMessage error={revoke.error ?? revokeAll.error} />
    </section>
  );
}

function Accounts({ user }: { user: AuthUser }) {
  const trpc = useTRPC();
  const accounts = useQuery(trpc.main.admin.accounts.queryOptions({ userId: user.id }));
  return (
    <section className="card" aria-labelledby="accounts-title">
      <h2 id="accounts-title">Sign-in methods</h2>
      <QueryView query={accounts} isEmpty={(data) => data.length === 0} empty="No sign-in methods">
        {(data) => (
          <ul className="plain">
            {data.map((account) => (
              <li key={account.id}>
                <strong>{account.providerId}</strong> <span className="muted">since {formatDate(account.createdAt)}</span>
                {account.scope && <div className="muted small">scopes: {account.scope}</div>}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}

function Impersonate({ user }: { user: AuthUser }) {
  const confirm = useConfirm();
  const impersonate = useMutation({
    mutationFn: () => unwrap(authClient.admin.impersonateUser({ userId: user.id })),
    // The session cookie is now the user's: start over so nothing of the
    // admin's cached data is shown under it.
    onSuccess: () => window.location.assign(href('/')),
  });
  const ask = async () => {
    if (await confirm({ title: 'Impersonate user?', message: `Act as ${user.email} for up to an hour?` })) impersonate.mutate();
  };
  return (
    <section className="card" aria-labelledby="impersonate-title">
      <h2 id="impersonate-title">Impersonate</h2>
      <p className="muted">See the app as this user. Admin rights are off until you stop.</p>
      <button type="button" onClick={ask} disabled={impersonate.isPending}>
        Impersonate
      </button>
      <ErrorMessage error={impersonate.error} />
    </section>
  );
}

function SetPassword({ user }: { user: AuthUser }) {
  const confirm = useConfirm();
  const [password, setPassword] = useState('');
  const save = useAdminAction(() => unwrap(authClient.admin.setUserPassword({ userId: user.id, newPassword: password })), () => setPassword(''));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await confirm({ title: 'Set password?', message: `Replace the password of ${user.email}?` })) save.mutate();
  };
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor="new-password">New password</label>
        <input id="new-password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={save.isPending}>
          Set password
        </button>
      </form>
      <ErrorMessage error={save.error} />
      <Done show={save.isSuccess}>Password set.</Done>
    </section>
  );
}

function Remove({ user }: { user: AuthUser }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => unwrap(authClient.admin.removeUser({ userId: user.id })),
    onSuccess: async () => {
      navigate('/users');
      // Everything the user owned (posts, offerings, orders, files) went with
      // them: every list and count may have changed.
      await queryClient.invalidateQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
    },
  });
  return (
    <DeleteCard
      id="remove"
      noun="user"
      message={`Delete ${user.email} and everything they own? This cannot be undone.`}
      pending={remove.isPending}
      error={remove.error}
      onDelete={() => remove.mutate()}
    />
  );
}

export function UserDetail({ id }: { id: string }) {
  const user = useQuery({
    queryKey: ['admin', 'user', id],
    queryFn: () => unwrap<AuthUser>(authClient.admin.getUser({ query: { id } })),
  });
  return (
    <DetailPage title={user.data ? user.data.email : 'User'} back={{ to: '/users', label: 'All users' }} query={user}>
      {(data) => (
        <>
          <Profile user={data} />
          <RoleForm user={data} />
          <BanForm user={data} />
          <Accounts user={data} />
          <Impersonate user={data} />
          <SetPassword user={data} />
          <Sessions user={data} />
          <Remove user={data} />
        </>
      )}
    </DetailPage>
  );
}
