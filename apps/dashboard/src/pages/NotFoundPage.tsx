import { PageHeading } from '../components/PageHeading.tsx';
import { Link } from '../router/router.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p className="text-sm text-slate-700">
        There is nothing here.{' '}
        <Link to="/" className="text-indigo-700 hover:underline">
          Go to your stores
        </Link>
        .
      </p>
    </>
  );
}
