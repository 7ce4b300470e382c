/**
 * Regenerates schema/bookbinder.config.schema.json and the config reference in README.md from
 * the zod schema. Run with `npm run schema`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaFileText, withReference } from '../src/config/reference.js';
import { packageRoot } from '../src/paths.js';

const root = packageRoot();
writeFileSync(join(root, 'schema', 'bookbinder.config.schema.json'), schemaFileText());
const readme = join(root, 'README.md');
writeFileSync(readme, withReference(readFileSync(readme, 'utf8')));
process.stderr.write('schema: wrote schema/bookbinder.config.schema.json and the README config reference\n');
