import type { X509Certificate } from 'node:crypto';
import type { AssessmentResult } from '../pipeline/assess-stage.js';

export const VERIFY_BEGIN = '# --- begin verification commands ---';
export const VERIFY_END = '# --- end verification commands ---';
export const TRUST_BEGIN = '# --- begin optional: pdfsig certificate trust ---';
export const TRUST_END = '# --- end optional: pdfsig certificate trust ---';

export interface ReadmeInput {
  readonly assessment: AssessmentResult;
  readonly bundleFileName: string;
  readonly chain: readonly X509Certificate[];
  readonly evidenceItems: number;
  readonly withheldRaw: number;
  readonly attachments: number;
  /** Number of files listed in manifest.json. */
  readonly listedFiles: number;
}

function oneLine(subject: string): string {
  return subject.replace(/\n/g, ', ');
}

/** README.txt: what the bundle is, and copy-pasteable commands that verify it with standard tools only. */
export function renderReadme(r: ReadmeInput): string {
  const a = r.assessment;
  const leaf = r.chain[0];
  const root = r.chain[r.chain.length - 1];
  const fw = a.frameworks.map((f) => `               ${f.name} (${f.version}), catalog ${f.id}.yaml sha256 ${f.sha256}`).join('\n');
  const bundleName = /^[A-Za-z0-9._-]+$/.test(r.bundleFileName) ? r.bundleFileName : 'bundle.zip';
  return `auditpack evidence bundle
=========================

Organisation:  ${a.organisation}
Period:        ${a.period.label} (${a.period.start} to ${a.period.end}, end exclusive)
Assessed at:   ${a.assessedAt}
Pack id:       ${a.packId}
Frameworks:
${fw}
Evidence:      ${r.evidenceItems} items; ${r.withheldRaw} raw payloads withheld as sensitive (their SHA-256 is in each record);
               ${r.attachments} attachments
Generator:     ${a.generator.name} ${a.generator.version}
Signed by:     ${leaf ? oneLine(leaf.subject) : '(unknown)'}
Issued by:     ${leaf ? oneLine(leaf.issuer) : '(unknown)'}
Root CA:       ${root ? `${oneLine(root.subject)}, SHA-256 fingerprint ${root.fingerprint256}` : '(unknown)'}

Every file except manifest.json and its signature is listed in manifest.json with its SHA-256 and size, and
manifest.json is signed (manifest.json.p7s, detached CMS). The PDF report carries its own signature by the same
key. Statuses: "satisfied" is the only pass; "gap" means evidence was missing, stale or failed to collect;
"manual" controls need documents from the organisation; accepted risks are shown, never counted as passes.

Contents
--------
README.txt                         this file
manifest.json                      SHA-256 and size of every other file; pack metadata; framework catalog hashes
manifest.json.p7s                  detached CMS/PKCS#7 signature of manifest.json (DER)
signer-chain.pem                   the signer's certificate chain, for reading: trust comes from YOUR copy of the CA
report/pack.pdf                    the evidence pack (PDF, signed)
report/pack.html                   the same pack as HTML
report/report-model.json           the data both were rendered from
evidence/<collector>/<YYYY-MM-DD>/<id>.json.gz
                                   one evidence item: {"item": record with provenance, "content": normalized content};
                                   the date is the start of the observation
evidence/<collector>/<YYYY-MM-DD>/<id>.raw.<ext>
                                   the raw payload as collected (absent when the payload is sensitive)
indexes/by-control.csv|json        control -> evidence files
indexes/by-source.csv|json         collector/account/region/kind -> evidence files
indexes/by-date.csv|json           observation date -> evidence files
attachments/aws-artifact/          AWS Artifact reports (PDF) as downloaded
exports/controls.csv               the control matrix
exports/ocsf-compliance-findings.json      OCSF 1.1 Compliance Finding events, one per control result
exports/oscal-assessment-results.json      OSCAL 1.1.2 assessment results
frameworks/<id>.yaml               the control catalogs that were applied

How to verify
-------------
You need bash, unzip, openssl, sha256sum (coreutils) and pdfsig (poppler-utils). On macOS, use
"shasum -a 256" for sha256sum. Nothing here needs auditpack or network access.

1. Obtain the CA certificate of the signer from ${a.organisation} through a channel you trust (NOT from this
   bundle) and compare its SHA-256 fingerprint (openssl x509 -in trusted-ca.pem -noout -fingerprint -sha256)
   with the one you were given.
2. Put it next to the bundle as trusted-ca.pem, and run these commands in that directory. Every command must
   succeed; the last line printed is VERIFIED. They extract into a new directory bundle-check/.

${VERIFY_BEGIN}
set -euo pipefail
BUNDLE=${bundleName}
CA="$PWD/trusted-ca.pem"
mkdir bundle-check && unzip -q "$BUNDLE" -d bundle-check && cd bundle-check
# a. manifest.json is unchanged and signed by a certificate that chains to your CA
openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -CAfile "$CA" -purpose any -out /dev/null
# b. every listed file has the SHA-256 that the manifest gives
sed -n 's/^ *{"path":"\\([^"]*\\)","sha256":"\\([0-9a-f]\\{64\\}\\)".*$/\\2  \\1/p' manifest.json | sha256sum --quiet --strict -c -
# c. no file is missing or extra, and there are no links or special files
diff <(sed -n 's/^ *{"path":"\\([^"]*\\)".*$/\\1/p' manifest.json | LC_ALL=C sort) <(find . -type f ! -path ./manifest.json ! -path ./manifest.json.p7s | sed 's|^\\./||' | LC_ALL=C sort)
test -z "$(find . ! -type f ! -type d)"
# d. the PDF signature is valid and covers the whole document
PDFSIG="$(pdfsig report/pack.pdf)"
echo "$PDFSIG"
grep -q "Signature is Valid." <<<"$PDFSIG"
grep -q "Total document signed" <<<"$PDFSIG"
echo "VERIFIED: manifest signature, ${r.listedFiles} file hashes, complete file list, PDF signature"
${VERIFY_END}

3. Optional: to have pdfsig also say "Certificate is Trusted.", trust the CA in a scratch NSS database
   (certutil is in libnss3-tools / nss-tools), from the same directory as step 2:

${TRUST_BEGIN}
set -euo pipefail
CA="$PWD/trusted-ca.pem"
mkdir nssdb && certutil -N -d sql:nssdb --empty-password && certutil -A -d sql:nssdb -n auditpack-trusted-ca -t "CT,C,C" -i "$CA"
pdfsig -nssdir "sql:$PWD/nssdb" bundle-check/report/pack.pdf | grep -q "Certificate is Trusted."
echo "TRUSTED: the PDF signer chains to your CA"
${TRUST_END}

With auditpack installed, "auditpack verify ${bundleName} --trust trusted-ca.pem" does all of the above in one
step without extracting anything (it also checks that the PDF signer is the manifest signer).
`;
}
