import { X509Certificate, createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { signatureAlgorithmOf } from './cms.js';
import { LocalKeySigner, spkiDer } from './keys.js';
import { OID } from './oids.js';
import type { KeySigner } from './types.js';

function ab(data: Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

export interface NameParts {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
}

/** A Name with one attribute per RDN (pkijs would otherwise put them all in one multi-valued RDN). */
export function buildName(parts: NameParts): pkijs.RelativeDistinguishedNames {
  const rdn = (oid: string, value: string): asn1js.Set =>
    new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), new asn1js.Utf8String({ value })] })] });
  const rdns: asn1js.Set[] = [];
  if (parts.organization) rdns.push(rdn(OID.organization, parts.organization));
  if (parts.organizationalUnit) rdns.push(rdn(OID.organizationalUnit, parts.organizationalUnit));
  rdns.push(rdn(OID.commonName, parts.commonName));
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER());
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): ArrayBuffer {
  const info = pkijs.PublicKeyInfo.fromBER(ab(spki));
  return ab(createHash('sha1').update(info.subjectPublicKey.valueBlock.valueHexView).digest());
}

function time(date: Date): pkijs.Time {
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

export interface IssueOptions {
  readonly subject: NameParts;
  readonly subjectPublicKey: KeyObject;
  /** Absent: self-signed with `issuerKey` (which must then be the subject's key). */
  readonly issuerCertificate?: X509Certificate;
  readonly issuerKey: KeySigner;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  readonly serial?: Buffer;
}

/**
 * Issues an X.509 v3 certificate, signing the TBS through `issuerKey` (a local key or a KMS key). CA certificates
 * get basicConstraints CA:TRUE and keyCertSign/cRLSign; leaves get CA:FALSE, digitalSignature/nonRepudiation and
 * emailProtection (what pdfsig/NSS and `openssl cms -verify` accept for a document-signing certificate).
 */
export async function issueCertificate(opts: IssueOptions): Promise<X509Certificate> {
  const subjectSpki = spkiDer(opts.subjectPublicKey);
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = Buffer.from(opts.serial ?? randomBytes(16));
  serial[0] = serial[0]! & 0x7f; // positive
  if (serial[0] === 0) serial[0] = 0x01;
  cert.serialNumber = new asn1js.Integer({ valueHex: ab(serial) });
  cert.subject = buildName(opts.subject);
  cert.issuer = opts.issuerCertificate ? pkijs.Certificate.fromBER(opts.issuerCertificate.raw).subject : buildName(opts.subject);
  cert.notBefore = time(opts.notBefore);
  cert.notAfter = time(opts.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(ab(subjectSpki));
  const issuerSpki = opts.issuerCertificate ? spkiDer(opts.issuerCertificate.publicKey) : subjectSpki;
  const keyUsage = opts.ca
    ? new asn1js.BitString({ valueHex: new Uint8Array([0x06]).buffer, unusedBits: 1 }) // keyCertSign, cRLSign
    : new asn1js.BitString({ valueHex: new Uint8Array([0xc0]).buffer, unusedBits: 6 }); // digitalSignature, nonRepudiation
  const ext = (extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension =>
    new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
  cert.extensions = [
    ext(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: opts.ca }).toSchema()),
    ext(OID.keyUsage, true, keyUsage),
    ext(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(subjectSpki) })),
    ext(OID.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(issuerSpki) }) }).toSchema()),
  ];
  if (!opts.ca) cert.extensions.push(ext(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.emailProtection] }).toSchema()));
  cert.signature = signatureAlgorithmOf(opts.issuerKey, true);
  cert.signatureAlgorithm = signatureAlgorithmOf(opts.issuerKey, true);
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  const signature = await opts.issuerKey.sign(tbs);
  cert.signatureValue = new asn1js.BitString({ valueHex: ab(signature) });
  return new X509Certificate(Buffer.from(cert.toSchema(true).toBER()));
}

export type DevKeyType = 'rsa' | 'ec';

export interface DevKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function generateDevKey(type: DevKeyType): DevKeyPair {
  return type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 3072 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export interface DevCa {
  readonly caKey: KeyObject;
  readonly caCertificate: X509Certificate;
  readonly signerKey: KeyObject;
  /** Leaf, then the CA. */
  readonly signerChain: readonly X509Certificate[];
}

export const DEV_MARKER = 'DEVELOPMENT ONLY';

/**
 * A development CA and a signing certificate issued by it. For trying auditpack and for tests only: the CA key
 * sits next to the signer key, so nothing it signs proves anything to a third party.
 */
export async function createDevCa(opts: { organisation: string; keyType?: DevKeyType; now?: Date }): Promise<DevCa> {
  const now = opts.now ?? new Date();
  const type = opts.keyType ?? 'rsa';
  const ca = generateDevKey(type);
  const signer = generateDevKey(type);
  const caSigner = new LocalKeySigner(ca.privateKey);
  const start = new Date(now.getTime() - 60 * 60 * 1000);
  const caCertificate = await issueCertificate({
    subject: { commonName: `auditpack development CA (${DEV_MARKER})`, organization: opts.organisation },
    subjectPublicKey: ca.publicKey,
    issuerKey: caSigner,
    notBefore: start,
    notAfter: new Date(now.getTime() + 10 * 365 * 86_400_000),
    ca: true,
  });
  const leaf = await issueCertificate({
    subject: { commonName: `auditpack evidence signer (${DEV_MARKER})`, organization: opts.organisation },
    subjectPublicKey: signer.publicKey,
    issuerCertificate: caCertificate,
    issuerKey: caSigner,
    notBefore: start,
    notAfter: new Date(now.getTime() + 825 * 86_400_000),
    ca: false,
  });
  return { caKey: ca.privateKey, caCertificate, signerKey: signer.privateKey, signerChain: [leaf, caCertificate] };
}
