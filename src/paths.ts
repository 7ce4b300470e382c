/** Where bookbinder's own files (templates, styles) live, wherever it is installed. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the folder holding `package.json`, `templates/` and `styles/`. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'templates'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bookbinder: cannot find its templates/ folder');
    dir = up;
  }
  return dir;
}
