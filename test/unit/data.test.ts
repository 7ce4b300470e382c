/** `_data/` as Jekyll reads it into `site.data`, and the diagnostics for malformed files. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { dataKey, loadSiteData, parseTable } from '../../src/source/data.js';
import { FIXTURES } from '../helpers.js';

function site(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bb-data-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function load(root: string) {
  const diags = new Diagnostics();
  const data = loadSiteData(root, loadSiteConfig(root, diags), diags);
  return { data, diags: diags.list().map((d) => `${d.code} ${d.file}:${d.line}`) };
}

describe('site data (_data/)', () => {
  it('reads YAML, JSON, CSV and TSV, folders as nested keys', () => {
    const { data, diags } = load(join(FIXTURES, 'sites', 'collections'));
    assert.deepEqual(diags, []);
    assert.deepEqual(data, {
      crew: {
        master: 'Ada Quay',
        hands: [
          { name: 'Ben Sail', watch: 'morning' },
          { name: 'Cora Helm', watch: 'evening' },
        ],
      },
      tides: [
        { hour: '06:00', height: '1.2' },
        { hour: '12:00', height: '3.4' },
      ],
      wind: [
        { direction: 'west', speed: '12' },
        { direction: 'south', speed: '8' },
      ],
      ports: { north: { name: 'Northhaven', depth: 12 } },
    });
  });

  it("parses tables as Ruby's CSV does: quotes, blank lines, nil for empty fields", () => {
    assert.deepEqual(parseTable('a,b\r\n"x, ""y""",\n\n"two\nlines",3', ','), [
      ['a', 'b'],
      ['x, "y"', null],
      [],
      ['two\nlines', '3'],
    ]);
    assert.throws(() => parseTable('a,b\n1,x"y\n', ','), /quote inside an unquoted field/);
  });

  it('reports malformed files at their line and keeps the others', () => {
    const root = site({
      '_data/good.yml': 'a: 1\n',
      '_data/bad.yml': 'a: 1\nb: [1, 2\nc: 3\n',
      // Jekyll reads JSON with its YAML parser: `"b": ` with no value is nil there, so it is kept
      '_data/lax.json': '{\n  "a": 1,\n  "b": \n}\n',
      '_data/broken.json': '{\n  "a": 1,\n  "b": [1,\n}\n',
      '_data/bad.csv': 'h1,h2\n1,2\n3,"open\n',
      '_data/only.csv': 'x\n1\n',
    });
    const { data, diags } = load(root);
    assert.deepEqual(data, { good: { a: 1 }, lax: { a: 1, b: null }, only: [{ x: '1' }] });
    assert.deepEqual(diags.sort(), [
      'data/invalid-json _data/broken.json:4',
      'data/invalid-table _data/bad.csv:3',
      'data/invalid-yaml _data/bad.yml:4',
    ]);
  });

  it("a key given twice: Jekyll's glob order decides (JSON after YAML, a folder last), with a warning", () => {
    const root = site({
      '_data/a.json': '{"from": "json"}',
      '_data/a.yml': 'from: yml\n',
      '_data/b.yml': 'x: 1\n',
    });
    const { data, diags } = load(root);
    assert.deepEqual(data, { a: { from: 'json' }, b: { x: 1 } });
    assert.deepEqual(diags, ['data/duplicate-key _data/a.json:1']);
  });

  it('follows no link out of the site: a linked data file, a linked folder, a linked _data', () => {
    const outside = site({ 'secret.yml': 'password: hunter2\n', 'deep/more.yml': 'x: 1\n' });
    const root = site({ 'index.md': '---\ntitle: T\n---\n', '_data/own.yml': 'a: 1\n' });
    symlinkSync(join(outside, 'secret.yml'), join(root, '_data', 'pw.yml'));
    symlinkSync(join(outside, 'deep'), join(root, '_data', 'deep'));
    const linked = load(root);
    assert.deepEqual(linked.data, { own: { a: 1 } });
    assert.deepEqual(linked.diags, ['source/symlink _data/deep:0', 'source/symlink _data/pw.yml:0']);
    const whole = site({ 'index.md': '---\ntitle: T\n---\n' });
    symlinkSync(outside, join(whole, '_data'));
    const all = load(whole);
    assert.deepEqual(all.data, {});
    assert.deepEqual(all.diags, ['source/outside-site _data:0']);
    assert.doesNotMatch(JSON.stringify(all.data), /hunter2/);
  });

  it('`data_dir` moves the folder; a `data:` mapping in _config.yml replaces it, as in Jekyll', () => {
    assert.deepEqual(load(site({ '_config.yml': 'data_dir: facts\n', 'facts/n.yml': '1\n' })).data, { n: 1 });
    const both = site({ '_config.yml': 'data:\n  k: v\n', '_data/n.yml': '1\n' });
    assert.deepEqual(load(both).data, { k: 'v' });
  });

  it("names keys as Jekyll's sanitize_filename does", () => {
    assert.equal(dataKey('my data'), 'my_data');
    assert.equal(dataKey('v1.2-notes'), 'v12-notes');
  });
});
