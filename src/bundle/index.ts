export { buildBundle, BundleError, gzipDeterministic, type BundleInput, type BundleResult } from './build.js';
export { verifyBundle, type VerifyReport, type VerifyOptions, type VerifyStatus, type VerifyCheck } from './verify.js';
export { ZipWriter, ZipError, type ZipEntryResult } from './zip-writer.js';
export { scanZip, ZipReadError, type ZipEntryView } from './zip-reader.js';
export { checkEntryName } from './entry-names.js';
export { PATHS, evidencePath, rawPlacement, extensionFor, type BundledEvidence } from './layout.js';
export { BUNDLE_FORMAT, parseManifest, serializeManifest, type Manifest } from './manifest.js';
export { VERIFY_BEGIN, VERIFY_END, TRUST_BEGIN, TRUST_END } from './readme.js';
