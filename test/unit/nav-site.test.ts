/**
 * Site-level navigation settings read from disk: which Jekyll builds the site (Gemfile,
 * Gemfile.lock, the `bookbinder.jekyll` override) and how that changes the order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jekyllVersionOf, loadSiteConfig } from '../../src/config/site.js';
import { Diagnostics } from '../../src/diagnostics.js';
import { loadPages } from '../../src/source/load.js';
import { buildNavTree, flattenTree } from '../../src/structure/nav.js';
import { FIXTURES } from '../helpers.js';

function order(site: string): { version: 3 | 4; titles: string[] } {
  const root = join(FIXTURES, 'sites', site);
  const diags = new Diagnostics();
  const config = loadSiteConfig(root, diags);
  const pages = loadPages(root, config, diags);
  const titles = flattenTree(buildNavTree(pages, config, diags)).map((c) => c.title);
  assert.deepEqual(diags.list(), []);
  return { version: config.jekyllVersion, titles };
}

describe('navigation: Jekyll 3 or 4', () => {
  it('a github-pages gem means Jekyll 3.9: number-like strings sort as text', () => {
    const { version, titles } = order('nav-jekyll3');
    assert.equal(version, 3);
    assert.deepEqual(titles, ['Notes', 'Step "10"', 'Step "3"', '10', '2', '9']);
  });

  it('bookbinder.jekyll in _config.yml overrides the Gemfile: Jekyll 4 sorts them as numbers', () => {
    const { version, titles } = order('nav-jekyll3-override');
    assert.equal(version, 4);
    assert.deepEqual(titles, ['Notes', 'Step "3"', 'Step "10"', '2', '9', '10']);
  });

  it('a Gemfile.lock resolving jekyll 3.x also means Jekyll 3', () => {
    assert.equal(order('nav-jekyll3-lock').version, 3);
  });

  it('no Gemfile means Jekyll 4; a jekyll 3 pin means 3; a bad override warns and guesses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-gem-'));
    assert.equal(jekyllVersionOf(dir, undefined), 4);
    writeFileSync(join(dir, 'Gemfile'), 'source "https://rubygems.org"\ngem "jekyll", "~> 3.9.3"\n');
    assert.equal(jekyllVersionOf(dir, undefined), 3);
    assert.equal(jekyllVersionOf(dir, '4'), 4);
    const diags = new Diagnostics();
    assert.equal(jekyllVersionOf(dir, 'latest', diags), 3);
    assert.deepEqual(
      diags.list().map((d) => d.code),
      ['config/invalid-value'],
    );
    writeFileSync(join(dir, 'Gemfile'), 'gem "jekyll", "~> 4.3"\n# gem "github-pages"\n');
    assert.equal(jekyllVersionOf(dir, undefined), 4);
  });
});
