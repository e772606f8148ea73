// Sign in, or create an account. The contract's rules are checked first; the API's answers
// (wrong password, address taken, sign-up turned off, too many tries) are shown in its own words.
import { Credentials } from '@storefleet/contracts';
import { type FormEvent, useState } from 'react';
import { ApiRequestError, errorMessage } from '../../api/client.ts';
import { useSignIn } from '../../api/session.ts';
import { TextField } from '../TextField.tsx';
import { Button, Notice } from '../ui.tsx';

type Mode = 'signin' | 'signup';
type FieldErrors = { email?: string; password?: string };

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

function localErrors(email: string, password: string): FieldErrors | undefined {
  const result = Credentials.safeParse({ email, password });
  if (result.success) return undefined;
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if ((field === 'email' || field === 'password') && !errors[field])
      errors[field] = sentence(issue.message);
  }
  return errors;
}

export function AuthForm() {
  const [mode, setMode] = useState<Mode>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const signIn = useSignIn(mode);
  const signingUp = mode === 'signup';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.reset();
    const local = localErrors(email.trim(), password);
    setFieldErrors(local ?? {});
    if (local) return;
    signIn.mutate({ email: email.trim(), password });
  };

  const switchMode = () => {
    setMode(signingUp ? 'signin' : 'signup');
    setFieldErrors({});
    signIn.reset();
  };

  const apiError = signIn.error;
  const emailTaken = apiError instanceof ApiRequestError && apiError.code === 'EMAIL_TAKEN';
  return (
    <div className="mx-auto max-w-sm">
      <form
        onSubmit={submit}
        noValidate
        aria-label={signingUp ? 'Create an account' : 'Sign in'}
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
      >
        <TextField
          label="E-mail address"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          error={fieldErrors.email ?? (emailTaken ? errorMessage(apiError) : undefined)}
          autoComplete="email"
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={fieldErrors.password}
          autoComplete={signingUp ? 'new-password' : 'current-password'}
        />
        {apiError && !emailTaken ? (
          <Notice tone="error" role="alert">
            {errorMessage(apiError)}
          </Notice>
        ) : null}
        <Button type="submit" variant="primary" busy={signIn.isPending} className="w-full">
          {signingUp ? 'Create account' : 'Sign in'}
        </Button>
      </form>
      <p className="mt-4 text-center text-sm text-slate-600">
        {signingUp ? 'Already have an account?' : 'New to Storefleet?'}{' '}
        <button type="button" onClick={switchMode} className="font-medium text-indigo-700 hover:underline">
          {signingUp ? 'Sign in' : 'Create an account'}
        </button>
      </p>
    </div>
  );
}
