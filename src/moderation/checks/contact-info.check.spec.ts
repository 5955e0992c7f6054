import { maskSpans } from '../normalized-text';
import { ContactInfoCheck } from './contact-info.check';

const check = new ContactInfoCheck();
const mask = (text: string) =>
  maskSpans(
    text,
    check.find(text).map((h): [number, number] => [h.start, h.end]),
  );

describe('ContactInfoCheck', () => {
  it.each([
    ['mail john@gmail.com now', 'mail *** now'],
    ['john at gmail dot com', '***'],
    ['john (at) gmail [dot] com', '***'],
    ['visit example.com today', 'visit *** today'],
    ['www.site.sa', '***'],
    ['call 0501234567', 'call ***'],
    ['call +966 50 123 4567 please', 'call *** please'],
    ['رقمي ٠٥٠١٢٣٤٥٦٧', 'رقمي ***'],
    ['my number is 0 5 0 1 2 3 4 5 6 7', 'my number is ***'],
    ['(415) 555-2671', '***'],
  ])('finds %j', (text, expected) => {
    expect(mask(text)).toBe(expected);
  });

  it.each([
    'price 1,250.00 SAR',
    'on 2024-05-12 at 10:30',
    'order #1234567890',
    'Your order number is 5012345678',
    'we paid 500123456 riyals',
    'meet at home at 5',
    'e.g. node.js and file.txt',
    'السعر ١٢٥٠ ريال',
    'رقم الطلب ١٢٣٤٥٦٧٨٩٠',
  ])('does not take %j for contact details', (text) => {
    expect(check.find(text)).toEqual([]);
  });
});
