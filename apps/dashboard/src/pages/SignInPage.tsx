import { AuthForm } from '../components/auth/AuthForm.tsx';
import { PageHeading } from '../components/PageHeading.tsx';

export function SignInPage() {
  return (
    <div className="py-6">
      <div className="mx-auto max-w-sm">
        <PageHeading>Sign in to Storefleet</PageHeading>
        <p className="-mt-3 mb-5 text-sm text-slate-600">Create, watch and delete your stores.</p>
      </div>
      <AuthForm />
    </div>
  );
}
