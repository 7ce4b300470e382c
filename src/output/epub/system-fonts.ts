/**
 * Fonts of the machine, for characters none of the book's fonts has (Hebrew, Thai, Devanagari…):
 * the file fontconfig picks, as Chromium on Linux would, then DejaVu, which `setup.sh` installs.
 * What the cover shows of such a title depends on the machine, as it does in the PDF.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A font file and the index of the face in it (a font collection holds several). */
export interface FontFile {
  readonly file: string;
  readonly index: number;
}

const DEJAVU = '/usr/share/fonts/truetype/dejavu';

/** Font files that may hold these code points, best first. */
export function systemFontFiles(
  codePoints: readonly number[],
  generic: 'serif' | 'sans-serif',
  bold: boolean,
): FontFile[] {
  const out: FontFile[] = [];
  const pattern = `${generic}${bold ? ':bold' : ''}:charset=${codePoints.map((cp) => cp.toString(16)).join(' ')}`;
  try {
    const [file = '', index = '0'] = execFileSync('fc-match', ['-f', '%{file}\\n%{index}', pattern], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).split('\n');
    if (/\.(ttf|otf|ttc)$/i.test(file) && existsSync(file)) out.push({ file, index: Number(index) || 0 });
  } catch {
    // No fontconfig here: DejaVu, if it is installed, is all there is.
  }
  const weight = bold ? '-Bold' : '';
  const dejavu = [`DejaVuSans${weight}.ttf`, `DejaVuSerif${weight}.ttf`];
  if (generic === 'serif') dejavu.reverse();
  for (const name of dejavu) {
    const file = `${DEJAVU}/${name}`;
    if (existsSync(file) && !out.some((f) => f.file === file)) out.push({ file, index: 0 });
  }
  return out;
}
