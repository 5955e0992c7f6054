import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import { enablePush } from './Notifications';

describe('enablePush', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks permission, subscribes with the VAPID key and registers the subscription', async () => {
    vi.stubGlobal('Notification', { requestPermission: vi.fn(async () => 'granted') });
    const subscribe = vi.fn(async () => ({
      toJSON: () => ({ endpoint: 'https://push.example/1', keys: { p256dh: 'p', auth: 'a' } }),
    }));
    const register = vi.fn(async () => ({
      pushManager: { getSubscription: async () => null, subscribe },
    }));
    Object.defineProperty(navigator, 'serviceWorker', { value: { register }, configurable: true });
    const ok = (data: unknown, status = 200) => ({
      data,
      response: new Response(null, { status }),
    });
    vi.spyOn(api, 'GET').mockResolvedValue(ok({ publicKey: 'AQID' }) as never);
    const post = vi.spyOn(api, 'POST').mockResolvedValue(ok({ id: 's1' }, 201));

    expect(await enablePush()).toBe('granted');
    expect(register).toHaveBeenCalledWith('/sw.js');
    expect(subscribe).toHaveBeenCalledWith({
      userVisibleOnly: true,
      applicationServerKey: new Uint8Array([1, 2, 3]),
    });
    expect(post).toHaveBeenCalledWith('/api/v1/notifications/push-subscriptions', {
      body: { endpoint: 'https://push.example/1', keys: { p256dh: 'p', auth: 'a' } },
    });
  });

  it('registers nothing when the user refuses', async () => {
    vi.stubGlobal('Notification', { requestPermission: vi.fn(async () => 'denied') });
    const post = vi.spyOn(api, 'POST');
    expect(await enablePush()).toBe('denied');
    expect(post).not.toHaveBeenCalled();
  });
});
