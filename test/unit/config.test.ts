import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeFrame } from '../../src/config/frame.js';
import { loadConfig } from '../../src/config/load.js';
import { schemaFileText, withReference } from '../../src/config/reference.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { ROOT } from '../helpers.js';

/** A site folder with the given files. */
function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('config: bookbinder.config.* and the bookbinder: key of _config.yml', () => {
  it('reports a bad value at its line in the YAML file, with a code frame', async () => {
    const dir = site({
      'bookbinder.config.yml': '# settings\noutput: dist\nformats:\n  - pdf\n  - docx\nname: handbook\n',
    });
    const { diagnostics } = await loadConfig({ source: dir, cwd: dir });
    assert.equal(diagnostics.length, 1);
    const d = diagnostics[0]!;
    assert.deepEqual(
      [d.severity, d.code, d.file, d.line],
      ['error', 'config/invalid', 'bookbinder.config.yml', 5],
    );
    assert.match(d.message, /^formats\.1: .*"pdf"\|"epub"\|"html"/);
    assert.match(d.frame ?? '', /^> 5 \| {3}- docx$/m);
    assert.match(d.frame ?? '', /^ {4}\| {5}\^{4}$/m, 'the caret is under the value');
  });

  it('points at nested keys, and at the key of a value of the wrong type', async () => {
    const dir = site({ 'bookbinder.config.yaml': 'title: Book\npreview:\n  port: lots\nstrict: "yes"\n' });
    const { diagnostics } = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line, d.message.split(':')[0]]),
      [
        ['config/invalid', 3, 'preview.port'],
        ['config/invalid', 4, 'strict'],
      ],
    );
    assert.match(diagnostics[1]!.message, /expected boolean, got string/);
  });

  it('counts lines of the whole _config.yml for its bookbinder: key', async () => {
    const dir = site({
      '_config.yml': 'title: Site\nauthor: A\n\nbookbinder:\n  jekyll: 3\n  formats: pdf\n',
    });
    const { diagnostics } = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      diagnostics.map((d) => [d.file, d.line, d.code]),
      [['_config.yml', 6, 'config/invalid']],
    );
    assert.match(diagnostics[0]!.message, /^bookbinder\.formats: expected array, got string/);
  });

  it('warns about an unknown key with a suggestion, and keeps the other settings', async () => {
    const dir = site({ 'bookbinder.config.yml': 'name: guide\nformat: [pdf]\n' });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.code, d.line]),
      [['warning', 'config/unknown-key', 2]],
    );
    assert.match(loaded.diagnostics[0]!.message, /unknown setting format \(did you mean formats\?\)/);
    assert.equal(loaded.config.name, 'guide');
  });

  it('reports YAML and JSON syntax errors at their line', async () => {
    const yaml = site({ 'bookbinder.config.yml': 'name: a\nformats: [pdf\n' });
    const y = await loadConfig({ source: yaml, cwd: yaml });
    assert.equal(y.diagnostics[0]?.code, 'config/invalid-yaml');
    assert.ok((y.diagnostics[0]?.line ?? 0) >= 2, String(y.diagnostics[0]?.line));
    const json = site({ 'bookbinder.config.json': '{\n  "name": "a",\n  "formats": ["pdf", "mobi"]\n}\n' });
    const j = await loadConfig({ source: json, cwd: json });
    assert.deepEqual(
      j.diagnostics.map((d) => [d.code, d.file, d.line]),
      [['config/invalid', 'bookbinder.config.json', 3]],
    );
  });

  it('a YAML alias bomb in a config file is config/invalid-yaml at the alias line, at once', async () => {
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'])
      bomb += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    for (const file of ['bookbinder.config.yml', '_config.yml']) {
      const dir = site({
        [file]: `name: a\n${file === '_config.yml' ? 'bookbinder:\n  name: b\n' : ''}${bomb}`,
      });
      const started = Date.now();
      const loaded = await loadConfig({ source: dir, cwd: dir });
      assert.ok(Date.now() - started < 5_000, 'not expanded');
      if (file === '_config.yml') {
        // The site loader reports it (the build test covers that); the bookbinder: section is not read.
        assert.deepEqual(loaded.diagnostics, []);
        continue;
      }
      assert.deepEqual(
        loaded.diagnostics.map((d) => [d.severity, d.code, d.file, d.line]),
        [['error', 'config/invalid-yaml', file, 10]],
      );
      assert.match(loaded.diagnostics[0]!.message, /alias \*h expands to 48,427,561 values/);
    }
  });

  it('loads a TypeScript config file (compiled on the fly) and validates what it exports', async () => {
    const dir = site({
      'bookbinder.config.ts':
        "interface C { formats: ('pdf' | 'epub' | 'html')[]; name: string }\nconst c: C = { formats: ['epub'], name: 'typed' };\nexport default c;\n",
    });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(loaded.diagnostics, []);
    assert.deepEqual(loaded.config.formats, ['epub']);
    assert.equal(loaded.config.name, 'typed');
    const bad = site({ 'bookbinder.config.js': 'export default { formats: "pdf" };\n' });
    const b = await loadConfig({ source: bad, cwd: bad });
    assert.deepEqual(
      b.diagnostics.map((d) => [d.code, d.file]),
      [['config/invalid', 'bookbinder.config.js']],
    );
  });

  it('never runs a script config that came with a site built from another folder, unless named with --config', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'bb-ran-')), 'ran');
    const code = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nexport default { name: 'ran' };\n`;
    const dir = site({ 'bookbinder.config.js': code });
    const elsewhere = mkdtempSync(join(tmpdir(), 'bb-cwd-'));
    const loaded = await loadConfig({ source: dir, cwd: elsewhere });
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.code, d.file]),
      [['config/script-not-run', 'bookbinder.config.js']],
    );
    assert.equal(existsSync(marker), false, 'the script did not run');
    const named = await loadConfig({ source: dir, cwd: elsewhere, file: join(dir, 'bookbinder.config.js') });
    assert.equal(named.config.name, 'ran');
    assert.equal(existsSync(marker), true);
  });

  it('refuses paths outside the site in a config inside it, unless the user gave it with --config', async () => {
    const dir = site({
      '_config.yml': 'title: S\nbookbinder:\n  styles:\n    - /etc/passwd\n  titlePage: ../outside.html\n',
      'bookbinder.config.yml': 'styles: [ok.css, /etc/hostname]\n',
    });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.code, d.file, d.line]),
      [
        ['error', 'config/outside-site', '_config.yml', 4],
        ['error', 'config/outside-site', '_config.yml', 5],
        ['error', 'config/outside-site', 'bookbinder.config.yml', 1],
      ],
    );
    assert.deepEqual(loaded.config.styles, [join(dir, 'ok.css')]);
    assert.equal(loaded.config.titlePage, undefined);
    const given = await loadConfig({ source: dir, cwd: dir, file: join(dir, 'bookbinder.config.yml') });
    assert.deepEqual(
      given.diagnostics.map((d) => [d.code, d.file]),
      [
        ['config/outside-site', '_config.yml'],
        ['config/outside-site', '_config.yml'],
      ],
    );
    assert.deepEqual(given.config.styles, [join(dir, 'ok.css'), '/etc/hostname']);
  });

  it('a config file inside the site may not write outside it: output: is an error at its line', async () => {
    const dir = site({
      'bookbinder.config.yml': 'name: index\noutput: /tmp/bb-web-root\n',
      '_config.yml': 'title: T\nbookbinder:\n  output: _book\n',
    });
    symlinkSync(tmpdir(), join(dir, '_link'));
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.code, d.file, d.line]),
      [['error', 'config/outside-site', 'bookbinder.config.yml', 2]],
    );
    assert.match(loaded.diagnostics[0]!.message, /^output: \/tmp\/bb-web-root is outside the site folder/);
    assert.equal(loaded.config.output, join(dir, '_book'), "the site's own _book is kept");
    // Through a link to a folder outside, and through .., also when the folder does not exist yet.
    writeFileSync(join(dir, 'bookbinder.config.yml'), 'output: _link/out\n');
    assert.deepEqual(
      (await loadConfig({ source: dir, cwd: dir })).diagnostics.map((d) => d.code),
      ['config/outside-site'],
    );
    writeFileSync(join(dir, 'bookbinder.config.yml'), 'output: _book/../../x\n');
    assert.deepEqual(
      (await loadConfig({ source: dir, cwd: dir })).diagnostics.map((d) => d.code),
      ['config/outside-site'],
    );
    // The user's own config (given with --config) may write anywhere.
    writeFileSync(join(dir, 'bookbinder.config.yml'), 'output: /tmp/bb-web-root\n');
    const given = await loadConfig({ source: dir, cwd: dir, file: join(dir, 'bookbinder.config.yml') });
    assert.deepEqual(given.diagnostics, []);
    assert.equal(given.config.output, '/tmp/bb-web-root');
  });

  it('refuses two config files in one folder', async () => {
    const dir = site({ 'bookbinder.config.yml': 'name: a\n', 'bookbinder.config.json': '{}' });
    const { diagnostics } = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['config/ambiguous'],
    );
  });

  it('merges flags over the config file over _config.yml, with paths relative to their file', async () => {
    const project = site({
      'bookbinder.config.yml': 'source: site\noutput: dist\nname: from-file\nstrict: true\n',
      'site/_config.yml':
        'title: T\nbookbinder:\n  name: from-site\n  formats: [epub]\n  title: Section Title\n',
    });
    const elsewhere = mkdtempSync(join(tmpdir(), 'bb-cwd-'));
    const loaded = await loadConfig({ cwd: project });
    assert.equal(loaded.source, join(project, 'site'));
    const s = resolveSettings({ strict: false }, loaded, elsewhere);
    assert.equal(s.build.source, join(project, 'site'));
    assert.equal(s.build.outDir, join(project, 'dist'));
    assert.equal(s.build.name, 'from-file');
    assert.deepEqual(s.build.formats, ['epub']);
    assert.equal(s.build.strict, false, 'the flag wins');
    assert.equal(s.build.site?.title, 'Section Title');
    const flags = resolveSettings({ name: 'flag', format: ['pdf'], output: 'out' }, loaded, elsewhere);
    assert.deepEqual([flags.build.name, flags.build.formats, flags.build.outDir], ['flag', ['pdf'], 'out']);
  });

  it('has no settings and no diagnostics for a plain Jekyll site', async () => {
    const dir = site({ '_config.yml': 'title: Plain\n' });
    const loaded = await loadConfig({ source: dir, cwd: dir });
    assert.deepEqual([loaded.config, loaded.diagnostics, loaded.files], [{}, [], []]);
    const s = resolveSettings({}, loaded, dir);
    assert.deepEqual(
      [s.build.outDir, s.build.name, s.build.formats],
      ['output', 'book', ['pdf', 'epub', 'html']],
    );
  });

  it('the committed JSON Schema and the README reference are generated from the schema (npm run schema)', () => {
    assert.equal(
      readFileSync(join(ROOT, 'schema', 'bookbinder.config.schema.json'), 'utf8'),
      schemaFileText(),
      'run npm run schema',
    );
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.equal(withReference(readme), readme, 'run npm run schema');
    const schema = JSON.parse(schemaFileText()) as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };
    for (const key of [
      'source',
      'output',
      'formats',
      'name',
      'root',
      'strict',
      'json',
      'quiet',
      'verbose',
      'pdf',
      'epub',
    ])
      assert.ok(key in schema.properties, key);
    assert.equal(schema.additionalProperties, false);
  });

  it('codeFrame marks the line and column', () => {
    assert.equal(
      codeFrame('a\nb: 1\nc: x\nd\ne', 3, 4, 1),
      '  1 | a\n  2 | b: 1\n> 3 | c: x\n    |    ^\n  4 | d',
    );
  });
});
