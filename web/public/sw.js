/* Web Push: shows the service's notification; a click opens (or focuses) the conversation. */
self.addEventListener('push', (event) => {
  const data = event.data ? event.data.json() : {};
  const title = data.title || 'Messaging';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.conversationId || undefined,
      data: { url: data.conversationId ? `/c/${data.conversationId}` : '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then((windows) => {
      for (const w of windows) {
        if ('focus' in w) {
          w.navigate(url);
          return w.focus();
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
