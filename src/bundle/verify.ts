import type { X509Certificate} from 'node:crypto';
import { createHash } from 'node:crypto';
import { validateChain } from '../signing/chain.js';
import { verifyDetachedCms, type CmsVerification } from '../signing/cms.js';
import { parsePemCertificates } from '../signing/keys.js';
import { verifyPdfSignature } from '../signing/pdf.js';
import { SigningError } from '../signing/types.js';
import { checkEntryName } from './entry-names.js';
import { PATHS, UNLISTED } from './layout.js';
import { ManifestError, parseManifest, type Manifest } from './manifest.js';
import { ZipReadError, readAll, scanZip } from './zip-reader.js';

/**
 * Verifies a bundle without extracting anything: entries are read with yauzl and hashed as streams; only the
 * manifest, its signature, the signer chain and the PDF are held in memory.
 *
 * valid      the manifest signature verifies and chains to a given trust anchor, every listed file is present
 *            with its hash and size, nothing else is in the zip, no entry is unsafe, and the PDF signature
 *            verifies over the whole file and was made by the manifest signer;
 * invalid    any of that fails (including "no trust anchor given": integrity alone proves nothing about who
 *            made the bundle);
 * unreadable not a zip, or no readable auditpack manifest.
 */

export type VerifyStatus = 'valid' | 'invalid' | 'unreadable';

export interface VerifyCheck {
  readonly name: 'zip' | 'entries' | 'manifest-signature' | 'trust' | 'signer-chain' | 'files' | 'pdf-signature';
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerifyReport {
  readonly bundle: string;
  readonly status: VerifyStatus;
  readonly pack: Manifest['pack'] | null;
  readonly signer: { readonly subject: string; readonly issuer: string; readonly serialNumber: string; readonly fingerprint256: string; readonly signingTime: string | null } | null;
  readonly trustPath: readonly string[];
  readonly files: { readonly listed: number; readonly verified: number };
  readonly checks: readonly VerifyCheck[];
  readonly problems: readonly string[];
}

export interface VerifyOptions {
  /** Trust anchors (CA certificates obtained out of band). Without them the result is at best "invalid: not trusted". */
  readonly trust?: readonly X509Certificate[];
  /** Time at which certificates must be valid; default now. */
  readonly at?: Date;
}

const LIMITS = { manifest: 512 * 1024 * 1024, signature: 4 * 1024 * 1024, chain: 4 * 1024 * 1024, pdf: 2 * 1024 * 1024 * 1024 - 1 };

interface Seen {
  readonly size: number;
  readonly sha256: string | null;
  readonly error: string | null;
}

function oneLine(s: string): string {
  return s.replace(/\n/g, ', ');
}

export async function verifyBundle(file: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const problems: string[] = [];
  const fail = (name: VerifyCheck['name'], detail: string): void => {
    checks.push({ name, ok: false, detail });
    problems.push(detail);
  };
  const pass = (name: VerifyCheck['name'], detail: string): void => {
    checks.push({ name, ok: true, detail });
  };
  const seen = new Map<string, Seen>();
  const unsafe: string[] = [];
  const held: { manifest?: Buffer; signature?: Buffer; chain?: Buffer; pdf?: Buffer } = {};
  const base = { bundle: file, pack: null, signer: null, trustPath: [], files: { listed: 0, verified: 0 } };

  try {
    await scanZip(file, async (entry) => {
      if (entry.unsafe) {
        unsafe.push(`unsafe entry "${entry.name}": ${entry.unsafe}`);
        return;
      }
      if (entry.isDirectory) return;
      const keep = entry.name === PATHS.manifest ? 'manifest' : entry.name === PATHS.signature ? 'signature' : entry.name === PATHS.signerChain ? 'chain' : entry.name === PATHS.pdf ? 'pdf' : null;
      const hash = createHash('sha256');
      let size = 0;
      try {
        const stream = await entry.open();
        if (keep) {
          const data = await readAll(stream, LIMITS[keep], entry.name);
          hash.update(data);
          size = data.length;
          held[keep] = data;
        } else {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            hash.update(chunk);
            size += chunk.length;
          }
        }
        seen.set(entry.name, { size, sha256: hash.digest('hex'), error: null });
      } catch (err) {
        seen.set(entry.name, { size, sha256: null, error: (err as Error).message });
      }
    });
  } catch (err) {
    const detail = err instanceof ZipReadError ? err.message : `cannot read the zip: ${(err as Error).message}`;
    return { ...base, status: 'unreadable', checks: [{ name: 'zip', ok: false, detail }], problems: [detail] };
  }
  pass('zip', `${seen.size} entries read without extracting`);
  if (unsafe.length) fail('entries', unsafe.join('; '));
  else pass('entries', 'no unsafe entries (path escapes, absolute paths, links, duplicates)');

  if (!held.manifest) {
    const detail = seen.has(PATHS.manifest) ? `manifest.json cannot be read: ${seen.get(PATHS.manifest)!.error ?? 'unknown error'}` : 'not an auditpack bundle: no manifest.json';
    return { ...base, status: 'unreadable', checks: [...checks, { name: 'files', ok: false, detail }], problems: [...problems, detail] };
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(held.manifest);
  } catch (err) {
    const detail = err instanceof ManifestError ? err.message : String(err);
    return { ...base, status: 'unreadable', checks: [...checks, { name: 'files', ok: false, detail }], problems: [...problems, detail] };
  }

  // Manifest signature.
  let cms: CmsVerification | null = null;
  if (!held.signature) fail('manifest-signature', `${PATHS.signature} is missing`);
  else {
    try {
      cms = verifyDetachedCms(held.signature, [held.manifest]);
      pass('manifest-signature', `manifest.json is signed by "${oneLine(cms.signer.subject)}"`);
    } catch (err) {
      fail('manifest-signature', `manifest signature is invalid: ${(err as Error).message}`);
    }
  }

  // Trust.
  let trustPath: readonly string[] = [];
  const at = opts.at ?? new Date();
  if (cms) {
    if (!opts.trust || opts.trust.length === 0) fail('trust', 'no trust anchor given (--trust CA.pem): the signature is intact, but nothing says who made it');
    else {
      const chain = validateChain(cms.signer, cms.certificates, opts.trust, at);
      trustPath = chain.path;
      if (chain.trusted) pass('trust', `the signer chains to the trust anchor: ${chain.path.join(' <- ')}`);
      else fail('trust', chain.problems.join('; '));
    }
  }

  // signer-chain.pem must show the certificate that actually signed.
  if (!held.chain) fail('signer-chain', `${PATHS.signerChain} is missing`);
  else if (cms) {
    try {
      const certs = parsePemCertificates(held.chain.toString('utf8'), PATHS.signerChain);
      if (!certs[0]!.raw.equals(cms.signer.raw)) fail('signer-chain', `${PATHS.signerChain} does not start with the certificate that signed the manifest`);
      else pass('signer-chain', `${PATHS.signerChain} names the manifest signer`);
    } catch (err) {
      fail('signer-chain', `${PATHS.signerChain}: ${(err as Error).message}`);
    }
  }

  // Files: every listed file present with its hash and size; nothing unlisted.
  const listed = new Map<string, { sha256: string; size: number }>();
  const fileProblems: string[] = [];
  for (const f of manifest.files) {
    const bad = checkEntryName(f.path);
    if (bad) fileProblems.push(`manifest lists an unsafe path "${f.path}": ${bad}`);
    if (listed.has(f.path)) fileProblems.push(`manifest lists ${f.path} twice`);
    if (UNLISTED.has(f.path)) fileProblems.push(`manifest lists ${f.path}, which it cannot cover`);
    listed.set(f.path, f);
  }
  let verified = 0;
  for (const [p, f] of listed) {
    const s = seen.get(p);
    if (!s) fileProblems.push(`missing file: ${p}`);
    else if (s.error) fileProblems.push(`unreadable file: ${p} (${s.error})`);
    else if (s.sha256 !== f.sha256 || s.size !== f.size) fileProblems.push(`changed file: ${p} (sha256 ${s.sha256}, ${s.size} bytes; manifest: ${f.sha256}, ${f.size} bytes)`);
    else verified++;
  }
  for (const p of [...seen.keys()].sort()) {
    if (!listed.has(p) && !UNLISTED.has(p)) fileProblems.push(`extra file not in the manifest: ${p}`);
  }
  if (fileProblems.length) fail('files', fileProblems.slice(0, 50).join('; ') + (fileProblems.length > 50 ? `; … and ${fileProblems.length - 50} more` : ''));
  else pass('files', `all ${verified} listed files present and unchanged; no extra files`);

  // PDF signature, checked independently of the manifest.
  if (listed.has(PATHS.pdf)) {
    if (!held.pdf) fail('pdf-signature', `${PATHS.pdf} is missing or unreadable`);
    else {
      try {
        const pdf = verifyPdfSignature(held.pdf);
        const sameSigner = cms !== null && pdf.signer.raw.equals(cms.signer.raw);
        const chain = opts.trust?.length ? validateChain(pdf.signer, pdf.certificates, opts.trust, at) : null;
        if (cms && !sameSigner) fail('pdf-signature', `the PDF is signed by "${oneLine(pdf.signer.subject)}", not by the manifest signer`);
        else if (chain && !chain.trusted) fail('pdf-signature', `the PDF signer is not trusted: ${chain.problems.join('; ')}`);
        else pass('pdf-signature', `PDF signature valid over the whole file except the signature (ByteRange ${pdf.byteRange.join(' ')})`);
      } catch (err) {
        fail('pdf-signature', `PDF signature: ${err instanceof SigningError ? err.message : String(err)}`);
      }
    }
  }

  const signer = cms
    ? {
        subject: oneLine(cms.signer.subject),
        issuer: oneLine(cms.signer.issuer),
        serialNumber: cms.signer.serialNumber,
        fingerprint256: cms.signer.fingerprint256,
        signingTime: cms.signingTime?.toISOString() ?? null,
      }
    : null;
  return {
    bundle: file,
    status: problems.length === 0 ? 'valid' : 'invalid',
    pack: manifest.pack,
    signer,
    trustPath,
    files: { listed: listed.size, verified },
    checks,
    problems,
  };
}
