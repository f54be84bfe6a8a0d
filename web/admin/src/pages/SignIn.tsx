import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/QueryView';
import { PageHeader } from '../components/PageHeader';
import { authClient, unwrap } from '../lib/auth';
import { sessionKey } from '../lib/session';

export function SignIn() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => unwrap(authClient.signIn.email({ email, password })),
    // The role and the impersonation mark come with get-session, not sign-in.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };
  return (
    <main id="main" className="narrow">
      <PageHeader title="Sign in" />
      <p className="muted">NextStack admin console</p>
      <form onSubmit={submit} className="stack">
        <label htmlFor="signin-email">Email</label>
        <input id="signin-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorMessage error={signIn.error} />
      </form>
    </main>
  );
}
