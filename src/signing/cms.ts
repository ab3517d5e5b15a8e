import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids.js';
import { SigningError, type HashName, type KeySigner } from './types.js';

const HASH_OID: Record<HashName, string> = { sha256: OID.sha256, sha384: OID.sha384 };

function ab(data: Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** The AlgorithmIdentifier of a signature made by `key` (in a SignerInfo or a certificate). */
export function signatureAlgorithmOf(key: KeySigner, forCertificate: boolean): pkijs.AlgorithmIdentifier {
  if (key.algorithm === 'RSA') {
    // CMS conventionally names the key (rsaEncryption); certificates name the combination.
    const algorithmId = forCertificate ? (key.hash === 'sha384' ? OID.sha384WithRSA : OID.sha256WithRSA) : OID.rsaEncryption;
    return new pkijs.AlgorithmIdentifier({ algorithmId, algorithmParams: new asn1js.Null() });
  }
  return new pkijs.AlgorithmIdentifier({ algorithmId: key.hash === 'sha384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha256 });
}

export interface CmsSignOptions {
  /** Digest of the signed content, computed with `key.hash`. */
  readonly contentDigest: Buffer;
  readonly key: KeySigner;
  /** Leaf first; every certificate goes into the SignedData so a verifier can build the path. */
  readonly chain: readonly X509Certificate[];
  /** Adds a signingTime attribute (leave it out for PAdES, where the signature dictionary carries the time). */
  readonly signingTime?: Date;
}

/**
 * A detached CMS SignedData (RFC 5652) in DER, signed through `key` (a local key or KMS): signed attributes
 * contentType, messageDigest, ESS signing-certificate-v2 and optionally signingTime.
 */
export async function signDetachedCms(opts: CmsSignOptions): Promise<Buffer> {
  const leaf = opts.chain[0];
  if (!leaf) throw new SigningError('the signer has no certificate');
  const certs = opts.chain.map((c) => pkijs.Certificate.fromBER(c.raw));
  const leafPkijs = certs[0]!;
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: ab(opts.contentDigest) })] }),
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the default (SHA-256) hash.
      values: [
        new asn1js.Sequence({
          value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: ab(createHash('sha256').update(leaf.raw).digest()) })] })] })],
        }),
      ],
    }),
  ];
  if (opts.signingTime) attributes.push(new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: opts.signingTime })] }));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  // The signature covers the DER of the attributes as a SET OF (tag 0x31), not as the [0] IMPLICIT field.
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31;
  const signature = await opts.key.sign(toSign);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: leafPkijs.issuer, serialNumber: leafPkijs.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OID[opts.key.hash] }),
    signedAttrs,
    signatureAlgorithm: signatureAlgorithmOf(opts.key, false),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OID[opts.key.hash] })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: certs,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER());
}

/** Hashes `content` with the given algorithm (a helper so callers need not know the node names). */
export function digestOf(hash: HashName, ...parts: Uint8Array[]): Buffer {
  const h = createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest();
}

export interface CmsVerification {
  readonly signer: X509Certificate;
  /** Every certificate carried in the SignedData, signer included. */
  readonly certificates: readonly X509Certificate[];
  readonly hash: HashName;
  readonly signingTime: Date | null;
}

/**
 * Verifies a detached CMS SignedData over content given by its chunks (`parts`, hashed in order): one signer,
 * signed attributes present, contentType = data, messageDigest = hash(content), signing-certificate-v2 (when
 * present) names the signer certificate, and the signature verifies with the signer certificate's key.
 * Throws SigningError naming the first failed check. Says nothing about trust: see `validateChain`.
 */
export function verifyDetachedCms(der: Uint8Array, parts: readonly Uint8Array[]): CmsVerification {
  let signedData: pkijs.SignedData;
  try {
    const parsed = asn1js.fromBER(ab(der));
    if (parsed.offset === -1) throw new Error(parsed.result.error);
    const ci = new pkijs.ContentInfo({ schema: parsed.result });
    if (ci.contentType !== OID.signedData) throw new Error(`content type ${ci.contentType} is not signedData`);
    signedData = new pkijs.SignedData({ schema: ci.content as asn1js.Sequence });
  } catch (err) {
    throw new SigningError(`not a CMS SignedData: ${(err as Error).message}`, { cause: err });
  }
  if (signedData.encapContentInfo.eContent) throw new SigningError('the CMS signature is not detached (it embeds content)');
  if (signedData.signerInfos.length !== 1) throw new SigningError(`expected exactly one signer, found ${signedData.signerInfos.length}`);
  const si = signedData.signerInfos[0]!;
  const hash = hashFromOid(si.digestAlgorithm.algorithmId);
  const certificates = (signedData.certificates ?? []).flatMap((c) =>
    c instanceof pkijs.Certificate ? [new X509Certificate(Buffer.from(c.toSchema().toBER()))] : [],
  );
  if (!(si.sid instanceof pkijs.IssuerAndSerialNumber)) throw new SigningError('the signer is not identified by issuer and serial number');
  const sid = si.sid;
  const signerPkijs = (signedData.certificates ?? []).find(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber),
  );
  if (!signerPkijs) throw new SigningError('the signer certificate is not in the signature');
  const signer = new X509Certificate(Buffer.from(signerPkijs.toSchema().toBER()));
  if (!si.signedAttrs) throw new SigningError('the signature has no signed attributes');
  const attr = (oid: string): pkijs.Attribute | undefined => si.signedAttrs!.attributes.find((a) => a.type === oid);
  const ct: unknown = attr(OID.contentType)?.values[0];
  if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== OID.data) throw new SigningError('signed content type is not id-data');
  const md: unknown = attr(OID.messageDigest)?.values[0];
  if (!(md instanceof asn1js.OctetString)) throw new SigningError('the signature has no message digest');
  const expected = digestOf(hash, ...parts);
  if (!Buffer.from(md.valueBlock.valueHexView).equals(expected)) throw new SigningError('message digest mismatch: the signed content was changed');
  const scv2: unknown = attr(OID.signingCertificateV2)?.values[0];
  if (scv2) checkSigningCertificateV2(scv2, signer);
  let signingTime: Date | null = null;
  const st: unknown = attr(OID.signingTime)?.values[0];
  if (st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime) signingTime = st.toDate();
  const encoded = new Uint8Array(si.signedAttrs.encodedValue.slice(0));
  if (encoded.byteLength === 0) throw new SigningError('signed attributes cannot be re-read');
  encoded[0] = 0x31;
  const sigAlg = si.signatureAlgorithm.algorithmId;
  const keyType = signer.publicKey.asymmetricKeyType;
  const rsaAlgs: string[] = [OID.rsaEncryption, hash === 'sha384' ? OID.sha384WithRSA : OID.sha256WithRSA];
  const ecAlgs: string[] = [hash === 'sha384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha256];
  if (!((keyType === 'rsa' && rsaAlgs.includes(sigAlg)) || (keyType === 'ec' && ecAlgs.includes(sigAlg)))) {
    throw new SigningError(`signature algorithm ${sigAlg} does not match the ${keyType ?? 'unknown'} key of the signer certificate`);
  }
  const ok = cryptoVerify(hash, encoded, { key: signer.publicKey, dsaEncoding: 'der' }, Buffer.from(si.signature.valueBlock.valueHexView));
  if (!ok) throw new SigningError('the signature does not verify with the signer certificate');
  return { signer, certificates, hash, signingTime };
}

function hashFromOid(oid: string): HashName {
  if (oid === OID.sha256) return 'sha256';
  if (oid === OID.sha384) return 'sha384';
  throw new SigningError(`digest algorithm ${oid} is not accepted (SHA-256 or SHA-384)`);
}

function checkSigningCertificateV2(value: unknown, signer: X509Certificate): void {
  try {
    const certs = ((value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
    const first = (certs[0] as asn1js.Sequence).valueBlock.value;
    let hashOid: string = OID.sha256;
    let hashValue: asn1js.OctetString;
    if (first[0] instanceof asn1js.Sequence) {
      hashOid = (first[0].valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
      hashValue = first[1] as asn1js.OctetString;
    } else hashValue = first[0] as asn1js.OctetString;
    const h = hashFromOid(hashOid);
    if (!Buffer.from(hashValue.valueBlock.valueHexView).equals(digestOf(h, signer.raw))) throw new Error('hash mismatch');
  } catch (err) {
    throw new SigningError(`signing-certificate-v2 does not name the signer certificate (${(err as Error).message})`, { cause: err });
  }
}
