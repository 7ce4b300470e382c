import assert from 'node:assert/strict';
import { pageUrl, urlKeys } from '../../src/source/url.js';

describe('page URLs (Jekyll::Page#url)', () => {
  it('pretty: folders with a trailing slash; index.md is its folder', () => {
    assert.equal(pageUrl('docs/guide/setup.md', undefined, 'pretty'), '/docs/guide/setup/');
    assert.equal(pageUrl('docs/guide/index.md', undefined, 'pretty'), '/docs/guide/');
    assert.equal(pageUrl('index.md', undefined, 'pretty'), '/');
    assert.equal(pageUrl('about.markdown', undefined, 'pretty'), '/about/');
  });

  it('the default style (date) and ordinal, weekdate, none: .html', () => {
    for (const style of ['date', 'ordinal', 'weekdate', 'none'])
      assert.equal(pageUrl('docs/setup.md', undefined, style), '/docs/setup.html', style);
    assert.equal(pageUrl('docs/index.md', undefined, 'date'), '/docs/');
  });

  it('a custom style: a trailing slash, :output_ext, or neither (an extensionless URL)', () => {
    assert.equal(pageUrl('docs/setup.md', undefined, '/:categories/:title/'), '/docs/setup/');
    assert.equal(pageUrl('docs/setup.md', undefined, '/:year/:title:output_ext'), '/docs/setup.html');
    assert.equal(pageUrl('docs/setup.md', undefined, '/:categories/:title'), '/docs/setup');
  });

  it('permalink front matter wins, with its placeholders filled and slashes collapsed', () => {
    assert.equal(pageUrl('docs/x.md', '/guide/', 'date'), '/guide/');
    assert.equal(pageUrl('docs/x.md', 'guide/start', 'pretty'), '/guide/start');
    assert.equal(pageUrl('docs/x.md', '/:path/:basename:output_ext', 'pretty'), '/docs/x.html');
    assert.equal(pageUrl('x.md', '/:path//:basename/', 'pretty'), '/x/');
  });

  it('urlKeys: /a/b, /a/b/, /a/b.html, /a/b/index.html and %-escapes find the same page', () => {
    const key = urlKeys('/a/b c/');
    for (const u of [
      '/a/b c',
      '/a/b%20c/',
      '/a/b c.html',
      '/a/b%20c/index.html',
      '/a//b c/#x',
      '/a/b c/?q=1',
    ])
      assert.deepEqual(urlKeys(u), key, u);
    assert.deepEqual(urlKeys('/'), ['/']);
    assert.deepEqual(urlKeys('/index.html'), ['/']);
  });
});
