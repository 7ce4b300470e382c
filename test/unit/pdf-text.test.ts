import assert from 'node:assert/strict';
import { emptySoftHyphenText } from '../../src/output/pdf/text.js';

describe('PDF text layer: soft hyphens', () => {
  it('empties the /ActualText of soft hyphens in place, whatever the case and spacing', () => {
    const src =
      '/Span<</ActualText <FEFF00AD>>> BDC <0003> Tj EMC\n' +
      '/Span<</ActualText\n<feff00ad>>> BDC <0003> Tj EMC\n' +
      '/Span<</ActualText <FEFF0041>>> BDC <0024> Tj EMC';
    const bytes = Buffer.from(src, 'latin1');
    assert.equal(emptySoftHyphenText(bytes), true);
    assert.equal(bytes.length, src.length, 'no byte moves');
    assert.equal(
      bytes.toString('latin1'),
      '/Span<</ActualText <>        >> BDC <0003> Tj EMC\n' +
        '/Span<</ActualText\n<>        >> BDC <0003> Tj EMC\n' +
        '/Span<</ActualText <FEFF0041>>> BDC <0024> Tj EMC',
    );
  });

  it('leaves a stream without soft hyphens untouched and says so', () => {
    const src = 'BT /F1 12 Tf (Hello) Tj ET /ActualText <FEFF00AE>';
    const bytes = Buffer.from(src, 'latin1');
    assert.equal(emptySoftHyphenText(bytes), false);
    assert.equal(bytes.toString('latin1'), src);
  });
});
