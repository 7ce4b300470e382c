/** The just-the-docs components stylesheet, with the site's callouts generated into it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calloutCss, calloutsOf } from '../markdown/callouts.js';
import type { SiteConfig } from '../model.js';
import { packageRoot } from '../paths.js';

/** `styles/components.css` plus the CSS of the callouts `_config.yml` declares. */
export function componentCss(site: SiteConfig): string {
  const opacity = typeof site.data.callouts_opacity === 'number' ? site.data.callouts_opacity : 0.2;
  return [
    readFileSync(join(packageRoot(), 'styles', 'components.css'), 'utf8'),
    calloutCss(calloutsOf(site.data), opacity),
  ].join('\n');
}
