import { useEffect, useMemo, useState } from 'react';
import i18next from 'i18next';
import { setAuthSource } from '../api/client';
import { SessionContext, StoreContext } from '../hooks';
import { Session, type Tokens } from '../session';
import { Store } from '../store';
import { LanguageSelect } from './LanguageSelect';
import { Shell } from './Shell';
import { SignIn } from './SignIn';

/** Signed out: the sign-in page. Signed in: the messenger, with one store per session. */
export function App() {
  // the API client gets its token source before any child effect sends a request
  const session = useMemo(() => {
    const created = new Session();
    setAuthSource({
      accessToken: () => created.accessToken(),
      language: () => i18next.language,
      // a refused token: refresh once; a refused refresh ends the session
      unauthorized: () => void created.refresh().catch(() => undefined),
    });
    return created;
  }, []);
  const [tokens, setTokens] = useState<Tokens | null>(session.current);
  useEffect(() => session.subscribe(setTokens), [session]);

  const userId = tokens?.user.id ?? null;
  const store = useMemo(
    () => (userId && session.current ? new Store(session.current.user, session) : null),
    // a new store only when another user signs in
    // (token refreshes keep the same store and socket)
    [userId],
  );
  useEffect(() => {
    if (!store) return;
    // offline or failing: the socket's sync on connect brings the conversations instead
    store.load().catch(() => undefined);
    return () => store.close();
  }, [store]);

  return (
    <SessionContext.Provider value={session}>
      {store ? (
        <StoreContext.Provider value={store}>
          <Shell />
        </StoreContext.Provider>
      ) : (
        <div className="signin-page">
          <header className="signin-header">
            <LanguageSelect />
          </header>
          <SignIn onSignedIn={(t) => session.start(t)} />
        </div>
      )}
    </SessionContext.Provider>
  );
}
