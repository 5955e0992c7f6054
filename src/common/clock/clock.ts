import { Injectable } from '@nestjs/common';

/**
 * The time as the lifecycle jobs see it (scheduled sends, retention). One provider, so tests
 * replace `now()` (jest.spyOn on the app's instance) instead of sleeping for seconds or days.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
