/** Joining printed PDFs without an object graph: the syntax layer, and the join itself. */
import assert from 'node:assert/strict';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { CROSS_LINK_PREFIX } from '../../src/output/pdf/chunks.js';
import { planJoin, writeJoin } from '../../src/output/pdf/raw/join.js';
import { readPart } from '../../src/output/pdf/raw/part.js';
import {
  copyBody,
  Out,
  parseValue,
  PdfName,
  PdfRef,
  PdfString,
  stringText,
  textString,
  write,
} from '../../src/output/pdf/raw/syntax.js';

const copied = (body: string, map: (n: number) => number, rename?: Map<string, string>): string => {
  const b = Buffer.from(body, 'latin1');
  const out = new Out(16);
  copyBody(b, 0, b.length, out, map, rename);
  return out.result().toString('latin1');
};

describe('PDF syntax', () => {
  it('parses and writes dictionaries, arrays, names, strings, numbers and references', () => {
    const text =
      '<</Type /Annot /Rect [0 -1.5 .25 10] /A <</URI (a \\(b\\) (c) 1 0 R)>> /T <FEFF0041> /P 12 0 R /F true /N null>>';
    const v = parseValue(text);
    assert.ok(v instanceof Map);
    assert.deepEqual(v.get('Rect'), [0, -1.5, 0.25, 10]);
    assert.equal((v.get('P') as PdfRef).num, 12);
    assert.equal(stringText((v.get('A') as Map<string, PdfString>).get('URI')!), 'a (b) (c) 1 0 R');
    assert.equal(stringText(v.get('T') as PdfString), 'A');
    assert.deepEqual(parseValue(write(v)), v);
    assert.equal(write(1e-7), '0.0000001');
    assert.equal(write(new PdfName('F1')), '/F1');
  });

  it('writes text strings as PDFDocEncoding or UTF-16BE, which read back the same', () => {
    for (const t of ['Plain (ASCII) \\ text', 'Café — 第一章']) assert.equal(stringText(textString(t)), t);
  });

  it('renumbers references as it copies, not inside strings, names or stream data', () => {
    const map = (n: number) => n + 100;
    assert.equal(
      copied('\n<</P 1 0 R /K [2 0 R 3 0 R] /Alt (see 4 0 R) /N1 5 /X <00> /S /R12 0 R>>\n', map),
      '\n<</P 101 0 R /K [102 0 R 103 0 R] /Alt (see 4 0 R) /N1 5 /X <00> /S /R12 0 R>>\n',
    );
    // The joined file has generation 0 only.
    assert.equal(copied('<</Q 7 1 R>>', map), '<</Q 107 0 R>>');
    const stream = '\n<</Length 9 /Res 7 0 R>> stream\n1 0 R q Q\nendstream\n';
    assert.equal(copied(stream, map), stream.replace('7 0 R', '107 0 R'));
  });

  it('renames the structure element ids it is given, only as whole strings', () => {
    const rename = new Map([['node00000330', 'node07']]);
    assert.equal(
      copied(
        '<</ID (node00000330) /Alt (node00000330 is here) /A <</Headers [(node00000330)]>>>>',
        (n) => n,
        rename,
      ),
      '<</ID (node07) /Alt (node00000330 is here) /A <</Headers [(node07)]>>>>',
    );
  });
});

describe('joining printed parts', () => {
  /** A one-page "printed" part with a named destination and a link to another part. */
  async function part(dest: string, linkTo: string): Promise<Buffer> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const page = doc.addPage([300, 400]);
    const ctx = doc.context;
    const arr = ctx.obj([page.ref, PDFName.of('XYZ'), 0, 400, 0]);
    doc.catalog.set(PDFName.of('Dests'), ctx.obj({ [dest]: arr }));
    const action = ctx.obj({ S: 'URI', URI: PDFString.of(CROSS_LINK_PREFIX + encodeURIComponent(linkTo)) });
    const link = ctx.register(
      ctx.obj({ Type: 'Annot', Subtype: 'Link', Rect: [0, 0, 10, 10], A: action, StructParent: 1 }),
    );
    page.node.set(PDFName.of('Annots'), ctx.obj([link]));
    page.node.set(PDFName.of('StructParents'), PDFNumber.of(0));
    // A structure tree as Chromium writes one: a document element, its id in the id tree.
    const rootRef = ctx.nextRef();
    const elem = ctx.register(
      ctx.obj({
        Type: 'StructElem',
        S: 'Document',
        P: rootRef,
        ID: PDFString.of(`node0000000${dest.length}`),
        Pg: page.ref,
      }),
    );
    ctx.assign(
      rootRef,
      ctx.obj({
        Type: 'StructTreeRoot',
        K: elem,
        ParentTree: ctx.obj({ Nums: [0, ctx.obj([elem]), 1, elem] }),
        ParentTreeNextKey: 2,
        IDTree: ctx.obj({ Names: [PDFString.of(`node0000000${dest.length}`), elem] }),
      }),
    );
    doc.catalog.set(PDFName.of('StructTreeRoot'), rootRef);
    return Buffer.from(await doc.save({ useObjectStreams: false }));
  }

  const info = {
    title: 'Jöin',
    author: ['A', 'B'],
    subject: 'S',
    keywords: ['k'],
    lang: 'en',
    date: new Date(0),
  };
  const join = async (
    outline = [
      { title: 'One', dest: 'one', children: [] },
      { title: 'Gone', dest: 'gone', children: [] },
    ],
  ) => {
    const plan = planJoin([
      { part: readPart(await part('one', 'two')) },
      { blank: [300, 400] },
      { part: readPart(await part('three', 'one')) },
    ]);
    return writeJoin(plan, { outline, frontCount: 1, info });
  };

  it('keeps pages in order with blank pages between, and turns links across parts into destinations', async () => {
    const { pdf, deadLinks, missingBookmarks } = await join();
    assert.deepEqual(deadLinks, ['two']);
    assert.deepEqual(missingBookmarks, ['gone']);
    const doc = await PDFDocument.load(pdf);
    assert.equal(doc.getPageCount(), 3);
    const dests = doc.catalog.lookup(PDFName.of('Dests'), PDFDict);
    assert.deepEqual(
      dests.keys().map((k) => k.asString()),
      ['/one', '/three'],
    );
    const linkOf = (p: number) =>
      doc.getPage(p).node.lookup(PDFName.of('Annots'), PDFArray).lookup(0, PDFDict);
    // Part 3 links to "one": now a destination on page 1; part 1's link to "two" has none.
    const target = linkOf(2).lookup(PDFName.of('Dest'), PDFArray).get(0);
    assert.equal(target, doc.getPage(0).ref);
    assert.equal(linkOf(2).get(PDFName.of('A')), undefined);
    assert.equal(linkOf(0).get(PDFName.of('Dest')), undefined);
  });

  it('reads a cross-reference table whose entries are not 20 bytes each', async () => {
    const bytes = await part('one', 'two');
    const at = bytes.lastIndexOf('xref');
    const loose = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from(bytes.toString('latin1', at).replace(/ n \n/g, ' n\n'), 'latin1'),
    ]);
    // startxref still points at `xref`: only the table after it changed.
    const read = readPart(loose);
    assert.equal(read.pages.length, 1);
    assert.deepEqual([...read.dests.keys()], ['one']);
  });

  it('joins the structure trees: parent-tree keys shifted, one root, stable element ids', async () => {
    const doc = await PDFDocument.load((await join()).pdf);
    const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    const kids = root.lookup(PDFName.of('K'), PDFArray);
    assert.equal(kids.size(), 2);
    for (let i = 0; i < 2; i++)
      assert.equal(
        kids.lookup(i, PDFDict).get(PDFName.of('P')),
        doc.catalog.get(PDFName.of('StructTreeRoot')),
      );
    const nums = root.lookup(PDFName.of('ParentTree'), PDFDict).lookup(PDFName.of('Nums'), PDFArray);
    assert.deepEqual(
      nums
        .asArray()
        .filter((x) => x instanceof PDFNumber)
        .map((x) => x.asNumber()),
      [0, 1, 2, 3],
    );
    assert.equal(root.lookup(PDFName.of('ParentTreeNextKey'), PDFNumber).asNumber(), 4);
    assert.equal(doc.getPage(2).node.lookup(PDFName.of('StructParents'), PDFNumber).asNumber(), 2);
    const ids = root.lookup(PDFName.of('IDTree'), PDFDict).lookup(PDFName.of('Names'), PDFArray);
    assert.deepEqual([ids.get(0), ids.get(2)].map(String), ['(node0)', '(node1)']);
    assert.equal(String(kids.lookup(1, PDFDict).get(PDFName.of('ID'))), '(node1)');
    assert.ok(doc.catalog.lookup(PDFName.of('MarkInfo'), PDFDict).get(PDFName.of('Marked')));
  });

  it('writes labels, bookmarks and information, and the same bytes twice', async () => {
    const first = await join();
    const doc = await PDFDocument.load(first.pdf, { updateMetadata: false });
    assert.equal(
      String(doc.catalog.lookup(PDFName.of('PageLabels'))).replace(/\s+/g, ' '),
      '<< /Nums [ 0 << /S /r >> 1 << /S /D >> ] >>',
    );
    const outlines = doc.catalog.lookup(PDFName.of('Outlines'), PDFDict);
    const item = outlines.lookup(PDFName.of('First'), PDFDict);
    assert.equal(item.lookup(PDFName.of('Title'), PDFString).decodeText(), 'One');
    assert.equal(item.lookup(PDFName.of('Dest'), PDFArray).get(0), doc.getPage(0).ref);
    assert.equal(doc.getTitle(), 'Jöin');
    assert.equal(doc.getAuthor(), 'A, B');
    assert.equal(doc.getCreationDate()?.toISOString(), '1970-01-01T00:00:00.000Z');
    assert.ok((doc.context.trailerInfo.ID as PDFArray).get(0) instanceof PDFHexString);
    assert.ok(first.pdf.equals((await join()).pdf));
    void PDFRef;
  });
});
