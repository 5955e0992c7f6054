import { Webhook } from 'standardwebhooks';
import { newSecret, signedHeaders } from './webhook-signature';

describe('webhook signatures', () => {
  const body = JSON.stringify({
    type: 'webhook.test',
    timestamp: '2030-01-01T00:00:00.000Z',
    data: {},
  });

  it('signs so that the standardwebhooks library verifies it', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = signedHeaders([secret], 'evt-1', body, new Date());
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('carries one signature per secret, each verifying on its own', () => {
    const [a, b] = [newSecret(), newSecret()];
    const headers = signedHeaders([a, b], 'evt-2', body, new Date());
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(a).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(b).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });
});
