import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppState, useRoute, useSession, useStore } from '../hooks';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { LanguageSelect } from './LanguageSelect';
import { NewConversationDialog } from './NewConversationDialog';
import { NotificationsButton } from './Notifications';
import { SearchPanel } from './SearchPanel';
import { SettingsDialog } from './SettingsDialog';

/** The signed-in layout: list and conversation side by side, one at a time on a phone. */
export function Shell() {
  const { t } = useTranslation();
  const store = useStore();
  const session = useSession();
  const state = useAppState();
  const [openId, go] = useRoute();
  const [dialog, setDialog] = useState<'new' | 'settings' | null>(null);
  const [query, setQuery] = useState('');

  useEffect(() => {
    void store.open(openId);
  }, [openId, store]);
  useEffect(() => {
    const onVisible = () => {
      if (state.openId) store.markRead(state.openId);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [state.openId, store]);
  const wasOpen = useRef<string | null>(null);
  useEffect(() => {
    // a conversation closed by the service (left, removed) closes here too
    if (wasOpen.current && state.openId === null && openId === wasOpen.current) go(null);
    wasOpen.current = state.openId;
  }, [state.openId, openId, go]);

  return (
    <div className={`shell ${openId ? 'has-open' : ''}`}>
      {!state.connected && (
        <div role="status" aria-label={t('offline')} className="banner">
          {t('offline')}
        </div>
      )}
      <header className="topbar">
        <h1 className="brand">{t('appName')}</h1>
        <div className="topbar-actions">
          <NotificationsButton onOpen={(id) => go(id)} />
          <button type="button" onClick={() => setDialog('settings')}>
            {t('settings')}
          </button>
          <LanguageSelect
            onChange={(code) =>
              void store.updateLocale(code === 'ar' ? 'ar' : 'en').catch(() => undefined)
            }
          />
          <button type="button" className="hide-phone" onClick={() => void session.signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <div className="panes">
        <nav className="sidebar" aria-label={t('conversations')}>
          <div className="sidebar-tools">
            <input
              type="search"
              aria-label={t('searchMessages')}
              placeholder={t('searchMessages')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
            <button type="button" className="primary" onClick={() => setDialog('new')}>
              {t('newConversation')}
            </button>
          </div>
          {query.trim().length >= 2 ? (
            <SearchPanel
              query={query.trim()}
              onOpen={(id) => {
                setQuery('');
                go(id);
              }}
            />
          ) : (
            <ConversationList openId={openId} onOpen={go} />
          )}
        </nav>
        <main className="main">
          {openId ? (
            <ConversationView key={openId} id={openId} onBack={() => go(null)} onOpen={go} />
          ) : (
            <p className="empty">{t('selectConversation')}</p>
          )}
        </main>
      </div>
      {dialog === 'new' && (
        <NewConversationDialog
          onClose={() => setDialog(null)}
          onCreated={(id) => {
            setDialog(null);
            go(id);
          }}
        />
      )}
      {dialog === 'settings' && <SettingsDialog onClose={() => setDialog(null)} />}
    </div>
  );
}
