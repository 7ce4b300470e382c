// The end-to-end lane's mocha config: the root .mocharc.json, plus the test files in the order the
// two parallel jobs take them. mocha hands files to its workers in the order given, so a heavy file
// taken last would run alone on one core while the other idles; the heaviest go first (longest
// processing time first), and the many light ones fill in at the end.
'use strict';
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const base = require('../.mocharc.json');

// CPU seconds of each file run alone (whole process tree, Chromium and Java included), measured
// on the 2-core CI machine; only the order matters. A file not listed counts as heavy (it goes
// first), so a new file is never the one that runs alone at the end.
const COST = {
  // With ../shared/corpus beside the checkout these build and check every corpus site (the heaviest
  // files then); without it they skip at once, so taking them first costs nothing.
  calibre: 100,
  corpus: 100,
  dialect: 100,
  'epub-corpus': 100,
  'kramdown-diff': 100,
  lifecycle: 77,
  'pdf-book': 46,
  property: 44,
  api: 36,
  mermaid: 38,
  fuzz: 35,
  preflight: 31,
  hostile: 27,
  sample: 26,
  build: 21,
  ace: 20,
  'serve-timeout': 18,
  'collections-site': 18,
  cancel: 17,
  'job-epub': 15,
  'nothing-lost': 13,
  'pdf-rebuild': 13,
  serve: 12,
  epub: 12,
  'math-print': 10,
  scripts: 9,
  worker: 8,
  'report-memory': 8,
  preview: 5,
  epubcheck: 3,
  'links-site': 3,
};
const UNKNOWN = 1000;

const dir = join(__dirname, '..', 'dist', 'test', 'e2e');
const name = (file) => file.replace(/\.test\.js$/, '');
const cost = (file) => COST[name(file)] ?? UNKNOWN;
const spec = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .sort((a, b) => cost(b) - cost(a) || a.localeCompare(b))
  .map((f) => join(dir, f));

module.exports = { ...base, parallel: true, jobs: 2, spec };
