// Runs the benchmarks in sequence (or the ones named on the command line: `npm run bench --
// history realtime`), each against its own database and service process, cleans up after each
// (also on failure or Ctrl-C), and prints a summary of the figures.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  agentClose,
  cleanupAll,
  installSignalHandlers,
  log,
  machineLoad,
  printTable,
} from './lib.mjs';

/** Each returns summary rows [figure, measured, goal, verdict]. Loaded only when run. */
const benchmarks = {
  history: async () => (await import('./history.mjs')).history(),
  realtime: async () => (await import('./realtime.mjs')).realtime(),
  search: async () => (await import('./search.mjs')).search(),
  'at-rest': async () => (await import('./at-rest.mjs')).atRest(),
  anchor: async () => (await import('./anchor.mjs')).anchor(),
};
// Issue 6's moderation micro-benchmark (no server), when it is there.
if (existsSync(join(ROOT, 'bench', 'moderation.mjs'))) {
  benchmarks.moderation = async () => {
    const rows = (await import('./moderation.mjs')).runModerationBench();
    return rows.map((r) => [
      `moderation: ${r.name}, ${r.chars} chars`,
      `p50 ${r.p50.toFixed(3)} / p99 ${r.p99.toFixed(3)} ms`,
      'p50 < 1 ms',
      r.p50 < 1 ? 'ok' : 'MISSED',
    ]);
  };
}

const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(name in benchmarks)) {
    console.error(`unknown benchmark ${name}; choose from ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
}

installSignalHandlers();
const started = Date.now();
try {
  const git = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = git(['status', '--porcelain']).split('\n').filter(Boolean).length;
  log(
    `code: commit ${git(['rev-parse', '--short', 'HEAD'])}` +
      (dirty > 0 ? ` plus ${dirty} changed or new files (dist/ is what was built from them)` : ''),
  );
} catch {
  // not a git checkout
}
const summary = [['figure', 'measured', 'goal', '']];
let failed = false;
for (const name of selected.length > 0 ? selected : Object.keys(benchmarks)) {
  log(`=== ${name} (${machineLoad()})`);
  try {
    summary.push(...(await benchmarks[name]()));
  } catch (err) {
    failed = true;
    console.error(
      `${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    summary.push([name, 'FAILED', '', '']);
  } finally {
    await cleanupAll();
  }
}
await agentClose();
printTable(`summary (${((Date.now() - started) / 1000).toFixed(0)} s in all)`, summary);
process.exit(failed ? 1 : 0);
