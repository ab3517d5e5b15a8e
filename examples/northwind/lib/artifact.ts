/**
 * AWS Artifact: report metadata (GetReportMetadata output) and a small, valid placeholder PDF per report.
 */
import { fixedStream } from './rng.js';
import { cliTime } from './common.js';
import type { JsonObject } from './cloudtrail-event.js';

export interface ArtifactReport {
  readonly id: string;
  readonly name: string;
  readonly series: string;
  readonly category: string;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly description: string;
  readonly placeholder: string;
  readonly createdAt: number;
}

const rng = fixedStream('artifact');

export const ARTIFACT_REPORTS: readonly ArtifactReport[] = [
  {
    id: `report-${rng.alnum(16)}`,
    name: 'AWS SOC 2 Type 2 Report',
    series: 'SOC',
    category: 'Certifications and Attestations',
    periodStart: Date.UTC(2025, 9, 1),
    periodEnd: Date.UTC(2026, 8, 30),
    description:
      'System and Organization Controls (SOC) 2 Type 2 report on the security, availability and confidentiality of AWS services.',
    placeholder: 'Sample placeholder for the AWS SOC 2 report \u2014 example data',
    createdAt: Date.UTC(2026, 9, 24, 17, 2, 13, 408),
  },
  {
    id: `report-${rng.alnum(16)}`,
    // GetReportMetadata names match ^[a-zA-Z0-9_\-\s]*$ (Smithy ShortStringAttribute): no '/' or ':'.
    name: 'ISO IEC 27001-2022 Certificate',
    series: 'ISO',
    category: 'Certifications and Attestations',
    periodStart: Date.UTC(2025, 10, 20),
    periodEnd: Date.UTC(2028, 10, 19),
    description: 'ISO/IEC 27001:2022 certificate for the AWS information security management system.',
    placeholder: 'Sample placeholder for the AWS ISO/IEC 27001:2022 certificate \u2014 example data',
    createdAt: Date.UTC(2025, 11, 3, 9, 45, 0, 127),
  },
];

export function reportMetadata(r: ArtifactReport): JsonObject {
  const meta = fixedStream(`artifact:${r.id}`);
  return {
    reportDetails: {
      id: r.id,
      name: r.name,
      description: r.description,
      periodStart: cliTime(r.periodStart),
      periodEnd: cliTime(r.periodEnd),
      createdAt: cliTime(r.createdAt),
      lastModifiedAt: cliTime(r.createdAt + 3_600_000 + meta.int(0, 3_599_999)),
      state: 'PUBLISHED',
      arn: `arn:aws:artifact:us-east-1::report/${r.id}:1`,
      series: r.series,
      category: r.category,
      companyName: 'AWS',
      productName: 'AWS',
      termArn: `arn:aws:artifact:us-east-1::term/term-${meta.alnum(16)}:1`,
      version: 1,
      acceptanceType: 'EXPLICIT',
      sequenceNumber: 1,
      uploadState: 'COMPLETE',
    },
  };
}

/** PDF literal string escaping; text is encoded in WinAnsi (the em dash is 0x97). */
function pdfString(s: string): string {
  return `(${s
    .replace(/\\/g, '\\\\')
    .replace(/\(/g, '\\(')
    .replace(/\)/g, '\\)')
    .replace(/\u2014/g, '\x97')})`;
}

/** A one-page PDF 1.4 with a correct cross-reference table, Helvetica text, WinAnsiEncoding. */
export function minimalPdf(title: string, lines: readonly string[]): Buffer {
  const content = [
    'BT',
    '/F1 16 Tf',
    '72 720 Td',
    `${pdfString(title)} Tj`,
    '/F1 11 Tf',
    ...lines.flatMap((l) => ['0 -22 Td', `${pdfString(l)} Tj`]),
    'ET',
  ].join('\n');
  const contentBytes = Buffer.from(content, 'latin1');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${contentBytes.length} >>\nstream\n${content}\nendstream`,
    `<< /Title ${pdfString(title)} /Producer (auditpack example generator) /CreationDate (D:20261101060000Z) >>`,
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export function reportPdf(r: ArtifactReport): Buffer {
  const d = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  return minimalPdf(r.name, [
    r.placeholder,
    `Period: ${d(r.periodStart)} to ${d(r.periodEnd)}`,
    `Report id: ${r.id}`,
    'This is not an AWS document. It was generated for the auditpack Northwind Health AI example.',
  ]);
}
