import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/diagnostics.js';
import { readFrontMatter, splitFrontMatter } from '../../src/source/front-matter.js';
import { relaxFlowIndentation } from '../../src/source/yaml.js';

function fm(text: string) {
  const split = splitFrontMatter(text);
  assert.equal(split.kind, 'page');
  if (split.kind !== 'page') throw new Error('unreachable');
  const diags = new Diagnostics();
  return {
    split,
    front: readFrontMatter(split.data, split.titleSource, split.keyLines, 'p.md', diags),
    diags: diags.list(),
  };
}

describe('front matter', () => {
  it('splits the body and knows the line it starts on', () => {
    const { split } = fm('---\ntitle: A\nnav_order: 2\n---\n# Body\n');
    assert.equal(split.body, '# Body\n');
    assert.equal(split.bodyLine, 5);
  });

  it('treats files without a leading --- line as not a page, like Jekyll', () => {
    assert.deepEqual(splitFrontMatter('# Just markdown\n'), {
      kind: 'not-a-page',
      reason: 'no-front-matter',
    });
    assert.deepEqual(splitFrontMatter('---js\n{title: "x"}\n---\n'), {
      kind: 'not-a-page',
      reason: 'not-yaml',
    });
    assert.deepEqual(splitFrontMatter('---\ntitle: never closed\n'), {
      kind: 'not-a-page',
      reason: 'unclosed',
    });
  });

  it('accepts empty front matter as a page', () => {
    const split = splitFrontMatter('---\n---\nbody');
    assert.equal(split.kind, 'page');
  });

  it('reads YAML 1.1 booleans as Psych does (yes/no/on/off, but not y/n)', () => {
    const { front } = fm('---\ntitle: Y\nnav_exclude: yes\nhas_children: off\n---\n');
    assert.equal(front.title, 'Y');
    assert.equal(front.navExclude, true);
    assert.equal(front.hasChildren, false);
  });

  it('keeps number titles as written and flags them as numbers', () => {
    const { front } = fm('---\ntitle: 10.0\n---\n');
    assert.equal(front.title, '10.0');
    assert.equal(front.titleIsNumber, true);
    const quoted = fm('---\ntitle: "10"\n---\n').front;
    assert.equal(quoted.title, '10');
    assert.equal(quoted.titleIsNumber, undefined);
  });

  it('reports invalid YAML at the line of the error in the file', () => {
    const split = splitFrontMatter('---\ntitle: A\nparent: [unclosed\nnav_order: 1\n---\nbody');
    assert.equal(split.kind, 'invalid');
    if (split.kind !== 'invalid') return;
    assert.equal(split.code, 'front-matter/invalid-yaml');
    assert.ok(split.line >= 2 && split.line <= 5, `line ${split.line}`);
  });

  it('rejects front matter that is not a mapping', () => {
    const split = splitFrontMatter('---\n- a\n- b\n---\nbody');
    assert.equal(split.kind, 'invalid');
    if (split.kind === 'invalid') assert.equal(split.code, 'front-matter/not-a-mapping');
  });

  it('ignores a nav_order that is a list, a map, a boolean or a date, with a warning at its line', () => {
    for (const value of ['[1, 2]', '{a: 1}', 'true', '2024-01-02']) {
      const { front, diags } = fm(`---\ntitle: A\nnav_order: ${value}\n---\n`);
      assert.equal(front.navOrder, undefined, value);
      assert.equal(diags[0]?.code, 'front-matter/invalid-nav-order', value);
      assert.equal(diags[0]?.line, 3, value);
    }
  });

  it('never executes JavaScript front matter', () => {
    const marker = '__bookbinder_js_ran__';
    const text = `---javascript\n{ title: (globalThis.${marker} = 1, 'x') }\n---\nbody`;
    const split = splitFrontMatter(text);
    assert.notEqual(split.kind, 'page');
    assert.equal((globalThis as Record<string, unknown>)[marker], undefined);
  });

  it('accepts flow sequences continued at column 0, as libyaml does', () => {
    const relaxed = relaxFlowIndentation('exclude: ["a"\n, "b"\n]\ntitle: T');
    assert.equal(relaxed, 'exclude: ["a"\n  , "b"\n  ]\ntitle: T');
  });
});
