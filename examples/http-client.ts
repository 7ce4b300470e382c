/**
 * Example: a client of `bookbinder serve`. Sends a statement template with its data and a chart
 * (an SVG, base64) to POST /render and saves the PDF; a bad answer prints its coded diagnostics.
 * Start the server first (`npx bookbinder serve --port 3000`), then:
 * `node dist/examples/http-client.js http://127.0.0.1:3000 /tmp/statement.pdf`.
 * Any language can do the same with its HTTP client; see docs/openapi.yaml.
 */
import { writeFileSync } from 'node:fs';

const [base = 'http://127.0.0.1:3000', out = 'statement.pdf'] = process.argv.slice(2);
const chart =
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80"><rect width="60" height="70" y="10" fill="#4a7"/>' +
  '<rect x="80" width="60" height="40" y="40" fill="#47a"/><rect x="160" width="60" height="55" y="25" fill="#a74"/></svg>';

const job = {
  format: 'pdf',
  markdown: [
    '# Statement for {{ data.customer }}',
    '',
    'Balance on {{ data.date }}: **{{ data.balance }}**.',
    '',
    '![Spending by quarter](chart.svg)',
    '',
    '| Date | Description | Amount |',
    '|:--|:--|--:|',
    '{% for m in data.movements %}| {{ m.date }} | {{ m.text }} | {{ m.amount }} |',
    '{% endfor %}',
  ].join('\n'),
  data: {
    customer: 'Ada Example',
    date: '2026-12-01',
    balance: '1,204.50',
    movements: [
      { date: '2026-11-03', text: 'Rent', amount: '-800.00' },
      { date: '2026-11-15', text: 'Salary', amount: '2,400.00' },
    ],
  },
  images: { 'chart.svg': Buffer.from(chart).toString('base64') },
  options: {
    pageSize: 'A4',
    margin: { top: '25mm', bottom: '25mm' },
    header: { text: 'Example Bank' },
    footer: { text: 'Confidential', pageNumbers: true },
  },
};

const headers: Record<string, string> = { 'content-type': 'application/json' };
if (process.env.BOOKBINDER_TOKEN) headers.authorization = `Bearer ${process.env.BOOKBINDER_TOKEN}`;
const res = await fetch(`${base}/render`, { method: 'POST', headers, body: JSON.stringify(job) });
if (res.ok) {
  writeFileSync(out, Buffer.from(await res.arrayBuffer()));
  console.log(`wrote ${out}`);
} else {
  const answer = (await res.json()) as { diagnostics: { code: string; message: string; line: number }[] };
  for (const d of answer.diagnostics) console.error(`${res.status} ${d.code} (line ${d.line}): ${d.message}`);
  process.exitCode = 1;
}
