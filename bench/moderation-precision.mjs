// Precision of the profanity check on real word lists (issue 16): the share of ordinary words
// it masks. Runs the real check from dist/ (npm run build first); no server, no database.
//   node bench/moderation-precision.mjs [arabic-word-list.txt]
// English: the npm package an-array-of-english-words, labelled by
// test/fixtures/moderation/dictionary-profane.txt (its profane words; every other is ordinary).
// Arabic (optional, one word a line), e.g. Debian's aspell-ar expanded:
//   aspell -d ar dump master | aspell -l ar expand | tr ' ' '\n' | sort -u > /tmp/ar-words.txt
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, URL } from 'node:url';

const require = createRequire(import.meta.url);
const { ProfanityCheck } = require('../dist/src/moderation/checks/profanity.check.js');
const englishWords = require('an-array-of-english-words');

const check = new ProfanityCheck();
const masks = (word) => check.find(word).length > 0;
const lines = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

const profane = new Set(
  lines(
    fileURLToPath(new URL('../test/fixtures/moderation/dictionary-profane.txt', import.meta.url)),
  ),
);
const masked = englishWords.filter(masks);
const falsePositives = masked.filter((w) => !profane.has(w));
const ordinary = englishWords.length - profane.size;
console.log(
  `English (${englishWords.length} words, ${profane.size} labelled profane): ` +
    `${masked.length} masked; ordinary words masked ${falsePositives.length}/${ordinary} ` +
    `= ${((100 * falsePositives.length) / ordinary).toFixed(4)}%; profane missed ` +
    `${[...profane].filter((w) => !masked.includes(w)).length}`,
);
console.log(`  ordinary words masked: ${falsePositives.join(' ')}`);

const arabicPath = process.argv[2];
if (arabicPath) {
  const words = [...new Set(lines(arabicPath))];
  const hits = words.filter(masks);
  console.log(
    `Arabic (${words.length} words): ${hits.length} masked ` +
      `(${((100 * hits.length) / words.length).toFixed(4)}%): ${hits.join(' ')}`,
  );
}
