import { useMutation } from '@tanstack/react-query';
import { authClient, unwrap } from '../lib/auth';
import { ErrorMessage } from './QueryView';

export function ImpersonationBanner({ email }: { email: string }) {
  const stop = useMutation({
    mutationFn: () => unwrap(authClient.admin.stopImpersonating()),
    // A reload starts the console afresh under the admin's own session, with
    // nothing cached from the impersonated one.
    onSuccess: () => window.location.reload(),
  });
  return (
    <div className="impersonation" role="region" aria-label="Impersonation">
      <p>
        Impersonating <strong>{email}</strong>
      </p>
      <button type="button" onClick={() => stop.mutate()} disabled={stop.isPending}>
        Stop impersonating
      </button>
      <ErrorMessage error={stop.error} />
    </div>
  );
}
