import { FcmSubscriptionRow } from '../entities/notification.row';
import { NotificationWithActor } from '../notifications.repository';
import { fcmMessage } from './fcm-message';

const token: FcmSubscriptionRow = {
  id: 's1',
  user_id: 'u1',
  type: 'fcm',
  token: 'device-token',
  platform: 'android',
};

const notification = (over: Partial<NotificationWithActor> = {}): NotificationWithActor => ({
  id: 'n1',
  user_id: 'u1',
  type: 'message',
  conversation_id: '0b8a1c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
  message_id: '11111111-2222-4333-8444-555555555555',
  actor_id: 'a1',
  actor_name: 'Alice',
  title: 'Alice',
  body: 'see you at five',
  read_at: null,
  created_at: new Date(),
  created_us: '0',
  ...over,
});

describe('fcmMessage', () => {
  it('carries the title, the body and the ids as string data, at high priority', () => {
    const m = fcmMessage(token, notification());
    expect(m.token).toBe('device-token');
    expect(m.notification).toEqual({ title: 'Alice', body: 'see you at five' });
    expect(m.data).toEqual({
      type: 'message',
      conversationId: '0b8a1c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
      messageId: '11111111-2222-4333-8444-555555555555',
    });
    expect(m.android.priority).toBe('high');
    expect(m.apns.headers['apns-priority']).toBe('10');
    expect(m.webpush.headers.Urgency).toBe('high');
  });

  it('collapses per conversation on every platform', () => {
    const m = fcmMessage(token, notification());
    expect(m.android.collapse_key).toBe('0b8a1c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b');
    expect(m.apns.headers['apns-collapse-id']).toBe('0b8a1c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b');
    expect(m.webpush.headers.Topic).toBe('0b8a1c1e2f3d4e5f8a9b0c1d2e3f4a5b');
  });

  it('leaves the body out when the notification has none (e2e)', () => {
    expect(fcmMessage(token, notification({ body: '' })).notification).toEqual({ title: 'Alice' });
  });

  it('leaves out an id that is null (an invitation has no message)', () => {
    const m = fcmMessage(token, notification({ type: 'group_invite', message_id: null }));
    expect(m.data).toEqual({
      type: 'group_invite',
      conversationId: '0b8a1c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
    });
  });

  it('does not collapse a notification of no conversation', () => {
    const m = fcmMessage(token, notification({ type: 'system', conversation_id: null }));
    expect(m.android).not.toHaveProperty('collapse_key');
    expect(m.apns.headers).not.toHaveProperty('apns-collapse-id');
    expect(m.webpush.headers).not.toHaveProperty('Topic');
  });
});
