import { AppError } from '../common/errors/app-error';
import { Cursor } from '../common/pagination/page';
import { SearchCursor } from './search-cursor';

const position = {
  rank: '0.100000',
  createdUs: '1764000000123456',
  id: '7b0e2a52-4a43-4a8e-9a43-8f0d2c1b5e11',
};

const expectInvalid = (cursor: string) => {
  try {
    SearchCursor.decode(cursor);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return;
  }
  throw new Error(`${cursor} was accepted`);
};

describe('SearchCursor', () => {
  it('gives back exactly the position it was made from', () => {
    expect(SearchCursor.decode(Cursor.encode(SearchCursor.encode(position)))).toEqual(position);
  });

  it('refuses a rank that is not a plain decimal', () => {
    for (const r of ['1e5', '-1', 'NaN', '0.1234567', '0 OR 1=1', ''])
      expectInvalid(Cursor.encode({ ...SearchCursor.encode(position), r }));
  });

  it('refuses garbage, missing fields and wrong types', () => {
    expectInvalid('not-a-cursor');
    expectInvalid(Cursor.encode({ r: '0.1', id: position.id }));
    expectInvalid(Cursor.encode({ ...SearchCursor.encode(position), t: '12.5' }));
    expectInvalid(Cursor.encode({ ...SearchCursor.encode(position), id: 'x' }));
  });
});
