import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContactInfoCheck } from './checks/contact-info.check';
import { ModerationCheck } from './checks/moderation-check';
import { ProfanityCheck } from './checks/profanity.check';

const corpus = readFileSync(
  join(__dirname, '..', '..', 'test', 'fixtures', 'moderation', 'corpus.tsv'),
  'utf8',
)
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [expected, text] = line.split('\t');
    return { expected, text };
  });

function score(check: ModerationCheck) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const { expected, text } of corpus) {
    const found = check.find(text).length > 0;
    const positive = expected === check.name;
    if (found && positive) tp++;
    else if (found) {
      fp++;
      misses.push(`false hit: ${text}`);
    } else if (positive) {
      fn++;
      misses.push(`missed: ${text}`);
    }
  }
  return { precision: tp / (tp + fp), recall: tp / (tp + fn), misses };
}

describe('moderation corpus (test/fixtures/moderation/corpus.tsv)', () => {
  it('has at least 300 labelled lines in English and Arabic', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(corpus.some((c) => /[\u0600-\u06FF]/.test(c.text))).toBe(true);
  });

  it.each([new ProfanityCheck(), new ContactInfoCheck()])(
    '$name: precision ≥ 0.95 and recall ≥ 0.90',
    (check) => {
      const { precision, recall, misses } = score(check);
      process.stdout.write(
        `${check.name}: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}${misses.length ? `\n  ${misses.join('\n  ')}` : ''}\n`,
      );
      expect(precision).toBeGreaterThanOrEqual(0.95);
      expect(recall).toBeGreaterThanOrEqual(0.9);
    },
  );
});
