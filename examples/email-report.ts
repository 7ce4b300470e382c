/**
 * Example: a weekly report as a PDF, made from a Markdown string and a data table, attached to
 * an email message saved as an .eml file (open it in any mail client, or hand it to an SMTP
 * library). Run: `npm run example -- /tmp/report.eml`.
 *
 * In your own project, import from 'bookbinder' instead of '../src/index.js'.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { formatDiagnostic, renderMarkdown } from '../src/index.js';

/** One row of the report's data. */
interface Sale {
  readonly region: string;
  readonly orders: number;
  readonly revenue: number;
}

const sales: Sale[] = [
  { region: 'North', orders: 412, revenue: 18_240.5 },
  { region: 'South', orders: 288, revenue: 12_980 },
  { region: 'East', orders: 351, revenue: 15_112.25 },
  { region: 'West', orders: 199, revenue: 9_020.75 },
];

/** A Markdown table; `|` in cells is escaped so the table stays one table. */
function table(rows: readonly Sale[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const money = (n: number) => n.toLocaleString('en-US', { style: 'currency', currency: 'EUR' });
  return [
    '| Region | Orders | Revenue |',
    '|:-------|-------:|--------:|',
    ...rows.map((r) => `| ${cell(r.region)} | ${r.orders} | ${money(r.revenue)} |`),
  ].join('\n');
}

const total = sales.reduce((n, r) => n + r.revenue, 0);
const markdown = `# Weekly Sales Report

Orders came from ${sales.length} regions this week, for a revenue of
**${total.toLocaleString('en-US', { style: 'currency', currency: 'EUR' })}**.

## By region

${table(sales)}

## Notes
{: .no_toc }

The figures are taken from the order system at the end of the week.
`;

const target = resolve(process.argv[2] ?? 'output/report.eml');
const report = await renderMarkdown(markdown, {
  format: 'pdf',
  author: 'Sales Operations',
  frontPages: false,
});
for (const d of report.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
if (!report.data) {
  process.stderr.write('the report could not be made\n');
  process.exit(1);
}

const message = new MailComposer({
  from: 'Sales Operations <sales@example.org>',
  to: 'Board <board@example.org>',
  subject: 'Weekly sales report',
  text: `Hello,\n\nthe weekly sales report is attached (total ${total.toFixed(2)} EUR).\n`,
  attachments: [
    {
      filename: 'weekly-sales-report.pdf',
      content: Buffer.from(report.data),
      contentType: 'application/pdf',
    },
  ],
});
const eml = await message.compile().build();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, eml);
process.stderr.write(`wrote ${target} (${eml.length} bytes, PDF of ${report.data.length} bytes attached)\n`);
