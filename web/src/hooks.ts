import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { Session } from './session';
import type { State, Store } from './store';

export const StoreContext = createContext<Store | null>(null);
export const SessionContext = createContext<Session | null>(null);

export function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('no store');
  return store;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('no session');
  return session;
}

/** The store's state, re-rendering on every change. */
export function useAppState(): State {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getState);
}

/** The open conversation lives in the path (`/c/:id`), so reloads and the back button work. */
export function useRoute(): [string | null, (id: string | null) => void] {
  const read = () => /^\/c\/([0-9a-f-]{36})$/.exec(location.pathname)?.[1] ?? null;
  const [id, setId] = useState(read);
  useEffect(() => {
    const onPop = () => setId(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string | null) => {
    history.pushState(null, '', next ? `/c/${next}` : '/');
    setId(next);
  };
  return [id, go];
}

/** An object URL of authorised bytes, revoked when no longer shown. */
export function useObjectUrl(load: (() => Promise<Blob>) | null, key: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!load) return;
    let current: string | null = null;
    let live = true;
    load().then(
      (blob) => {
        if (!live) return;
        current = URL.createObjectURL(blob);
        setUrl(current);
      },
      () => undefined,
    );
    return () => {
      live = false;
      if (current) URL.revokeObjectURL(current);
    };
  }, [key]);
  return url;
}
