import { AppConfig } from '../config/app-config';
import { ModerationPipeline } from './moderation-pipeline';

const pipeline = (env: Record<string, string> = {}) => new ModerationPipeline(new AppConfig(env));

describe('ModerationPipeline', () => {
  it('masks profanity and flags contact details by default', () => {
    const result = pipeline().run('fuck, call 0501234567');
    expect(result.content).toBe('***, call 0501234567');
    expect(result.moderation).toBe('flagged');
    expect(result.original).toBe('fuck, call 0501234567');
    expect(result.flagged.map((f) => f.check)).toEqual(['contact_info']);
    expect(result.blocked).toEqual([]);
  });

  it('says masked when only masking happened', () => {
    expect(pipeline().run('oh shit').moderation).toBe('masked');
  });

  it('leaves clean text untouched', () => {
    expect(pipeline().run('hello there')).toEqual({
      content: 'hello there',
      moderation: 'clean',
      original: null,
      blocked: [],
      flagged: [],
    });
  });

  it('follows the configured actions', () => {
    const result = pipeline({ MODERATION_PROFANITY: 'block', MODERATION_CONTACT_INFO: 'off' }).run(
      'fuck 0501234567',
    );
    expect(result.blocked).toEqual(['profanity']);
    expect(result.flagged).toEqual([]);
  });

  it('masks contact details when configured to', () => {
    expect(pipeline({ MODERATION_CONTACT_INFO: 'mask' }).run('mail me: a@b.com').content).toBe(
      'mail me: ***',
    );
  });
});
