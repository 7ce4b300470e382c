/**
 * Reads where a PDF's internal links go (qpdf --json): each link annotation's page and named
 * destination, and the page each named destination lands on.
 */
import { run } from '../helpers.js';

/** One internal link: the 1-based page it sits on, its destination name and target page. */
export interface PdfLink {
  readonly page: number;
  readonly dest: string;
  readonly target: number | undefined;
}

type Obj = Record<string, unknown>;

/** Lists every internal (named-destination) link of a PDF. */
export function pdfLinks(pdf: string): PdfLink[] {
  const json = JSON.parse(run('qpdf', ['--json', pdf])) as {
    pages: { object: string; pageposfrom1: number }[];
    qpdf: [unknown, Record<string, { value?: unknown }>];
  };
  const objects = json.qpdf[1];
  const get = (ref: unknown): Obj => {
    const v = typeof ref === 'string' ? objects[`obj:${ref}`]?.value : ref;
    return v !== null && typeof v === 'object' ? (v as Obj) : {};
  };
  const pageOf = new Map(json.pages.map((p) => [p.object, p.pageposfrom1]));
  const trailer = get(objects.trailer?.value);
  const dests = get(get(trailer['/Root'])['/Dests']);
  const links: PdfLink[] = [];
  for (const p of json.pages) {
    const annots = get(p.object)['/Annots'];
    const resolved = typeof annots === 'string' ? objects[`obj:${annots}`]?.value : annots;
    const list: unknown[] = Array.isArray(resolved) ? resolved : [];
    for (const ref of list) {
      const a = get(ref);
      if (a['/Subtype'] !== '/Link' || typeof a['/Dest'] !== 'string') continue;
      const dest = a['/Dest'].replace(/^\//, '');
      const target = dests[`/${dest}`];
      const targetPage = Array.isArray(target) ? pageOf.get(String(target[0])) : undefined;
      links.push({ page: p.pageposfrom1, dest, target: targetPage });
    }
  }
  return links;
}
