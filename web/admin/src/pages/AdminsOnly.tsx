import { PageHeader } from '../components/PageHeader';
import { SignOutButton } from '../components/Nav';

export function AdminsOnly({ email, impersonating }: { email: string; impersonating: boolean }) {
  return (
    <main id="main" className="narrow">
      <PageHeader title="Admins only" />
      <p>
        You are signed in as <strong>{email}</strong>, which is not an administrator account. This console is for
        administrators only.
      </p>
      {impersonating && <p>An impersonation session never has admin rights: stop impersonating to return to the console.</p>}
      <SignOutButton />
    </main>
  );
}
