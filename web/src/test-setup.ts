import { cleanup } from '@testing-library/react';
import { afterEach, beforeAll } from 'vitest';
import { setupI18n } from './i18n';

beforeAll(async () => {
  await setupI18n('en');
});
afterEach(() => cleanup());
