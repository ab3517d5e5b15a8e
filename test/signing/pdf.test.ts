import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, type DevCa } from '../../src/signing/certs.js';
import { LocalKeySigner, toPem } from '../../src/signing/keys.js';
import { addSignaturePlaceholder, pdfkitSignaturePlaceholder, signPdf, verifyPdfSignature } from '../../src/signing/pdf.js';
import type { Signer } from '../../src/signing/types.js';
import { nssDbTrusting, pdfsig, writeTemp } from './pdfsig.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-pdf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T = new Date('2026-11-02T00:00:00.000Z');

function makePdf(placeholder: boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ info: { CreationDate: T, ModDate: T, Title: 'Pack' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.text('Northwind Health AI: audit evidence pack 2026-10');
    doc.text('with a link', { link: 'https://example.com/' }); // the first page already has /Annots
    doc.addPage().text('second page');
    if (placeholder) pdfkitSignaturePlaceholder(doc, { signingTime: T });
    doc.end();
  });
}

let ca: DevCa;
let signer: Signer;
let nss: string;
beforeAll(async () => {
  ca = await createDevCa({ organisation: 'Northwind Health AI', keyType: 'rsa' });
  signer = { description: 'test', key: new LocalKeySigner(ca.signerKey), chain: ca.signerChain };
  nss = nssDbTrusting(path.join(tmp, 'nss'), [writeTemp(tmp, 'ca.pem', toPem([ca.caCertificate]))]);
});

describe('PDF signatures', () => {
  it.each([
    ['a finished PDF (incremental update adds the field)', false],
    ['a PDF rendered with the pdfkit placeholder (onBeforeEnd hook)', true],
  ])('%s: pdfsig says Valid, Trusted with the CA in NSS, and the whole document is signed', async (_label, withPlaceholder) => {
    const signed = await signPdf(await makePdf(withPlaceholder), signer, { signingTime: T, name: 'Évidence signer', location: 'eu-west-1' });
    const file = writeTemp(tmp, `signed-${String(withPlaceholder)}.pdf`, signed);
    const plain = pdfsig(file);
    expect(plain.out).toMatch(/Signature is Valid\./);
    expect(plain.out).toMatch(/Total document signed/);
    expect(plain.out).toMatch(/ETSI\.CAdES\.detached/);
    const trusted = pdfsig(file, nss);
    expect(trusted.out).toMatch(/Signature is Valid\./);
    expect(trusted.out).toMatch(/Certificate is Trusted\./);
    const ours = verifyPdfSignature(signed);
    expect(ours.signer.raw.equals(ca.signerChain[0]!.raw)).toBe(true);
    expect(ours.byteRange[0]).toBe(0);
    expect(ours.byteRange[2] + ours.byteRange[3]).toBe(signed.length);
  });

  it('the incremental update keeps the original bytes and is deterministic', async () => {
    const pdf = await makePdf(false);
    const a = addSignaturePlaceholder(pdf, { signingTime: T }, 8192);
    const b = addSignaturePlaceholder(pdf, { signingTime: T }, 8192);
    expect(a.equals(b)).toBe(true);
    expect(a.subarray(0, pdf.length).equals(pdf)).toBe(true);
    // RSA PKCS#1 v1.5 is deterministic and the CMS has no signing time: the same input signs to the same bytes.
    expect((await signPdf(pdf, signer, { signingTime: T })).equals(await signPdf(pdf, signer, { signingTime: T }))).toBe(true);
  });

  it('a flipped byte anywhere in the signed ranges, or bytes appended after signing, are detected by pdfsig and by our check', async () => {
    const signed = await signPdf(await makePdf(false), signer, { signingTime: T });
    const { byteRange } = verifyPdfSignature(signed);
    for (const at of [50, byteRange[1] - 20, byteRange[2] + 10]) {
      const bad = Buffer.from(signed);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => verifyPdfSignature(bad)).toThrow();
      expect(pdfsig(writeTemp(tmp, `flip-${at}.pdf`, bad)).out).not.toMatch(/Signature is Valid\./);
    }
    const appended = Buffer.concat([signed, Buffer.from('\n% appended\n')]);
    expect(() => verifyPdfSignature(appended)).toThrow(/does not cover the whole file/);
    expect(pdfsig(writeTemp(tmp, 'appended.pdf', appended)).out).not.toMatch(/Total document signed/);
    expect(() => verifyPdfSignature(Buffer.from('%PDF-1.7\n%%EOF\n'))).toThrow(/not signed/);
  });
});
