export * from './types.js';
export { LocalKeySigner, loadPemSigner, loadPkcs12Signer, parsePemCertificates, orderChain, toPem, keyAlgorithmOf } from './keys.js';
export { KmsKeySigner, loadKmsSigner, type KmsSignerOptions } from './kms.js';
export { signDetachedCms, verifyDetachedCms, digestOf, type CmsVerification } from './cms.js';
export { validateChain, loadTrustAnchors, type ChainResult } from './chain.js';
export { issueCertificate, createDevCa, generateDevKey, buildName, DEV_MARKER, type DevCa, type DevKeyType } from './certs.js';
export { signPdf, verifyPdfSignature, addSignaturePlaceholder, pdfkitSignaturePlaceholder, hasSignaturePlaceholder, type PdfSignatureFields } from './pdf.js';
export { SigningConfig, loadSigner, resolveSignerConfig, type SignerConfig } from './config.js';
export { writeDevKeys, type DevKeyFiles } from './dev-keys.js';
