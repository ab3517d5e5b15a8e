/**
 * Real upstream data used as templates (see ../ATTRIBUTION.md). Loaded from `../templates/` next to this file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TEMPLATE_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export type JsonObject = Record<string, unknown>;

export interface TemplateOrigin {
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly license: string;
  readonly test?: string;
}

interface CloudTrailTemplateFile {
  readonly _origin: TemplateOrigin;
  readonly event: JsonObject;
}

const cache = new Map<string, unknown>();

function load(rel: string): unknown {
  let v = cache.get(rel);
  if (v === undefined) {
    v = JSON.parse(readFileSync(`${TEMPLATE_DIR}${rel}`, 'utf8')) as unknown;
    cache.set(rel, v);
  }
  return v;
}

export type CloudTrailTemplateName =
  | 'bedrock-invoke-model'
  | 'cloudtrail-stop-logging'
  | 'sts-assume-role'
  | 'bedrock-delete-logging-config'
  | 'bedrock-delete-guardrail'
  | 'kms-put-key-policy'
  | 's3-put-object-data-event';

/** A deep copy of a real CloudTrail event used as a template. */
export function cloudTrailTemplate(name: CloudTrailTemplateName): JsonObject {
  const file = load(`cloudtrail/${name}.json`) as CloudTrailTemplateFile;
  return structuredClone(file.event);
}

export function cloudTrailTemplateOrigin(name: CloudTrailTemplateName): TemplateOrigin {
  return (load(`cloudtrail/${name}.json`) as CloudTrailTemplateFile)._origin;
}

export interface TemplateTraits {
  readonly eventVersion: string;
  readonly tls: { tlsVersion: string; cipherSuite: string };
  readonly sessionCredentialFromConsole: boolean;
}

/** What a re-stamped event keeps from its real template: eventVersion, TLS details, console-session flag. */
export function templateTraits(name: CloudTrailTemplateName): TemplateTraits {
  const t = cloudTrailTemplate(name);
  const tls = (t['tlsDetails'] ?? {}) as Record<string, unknown>;
  return {
    eventVersion: typeof t['eventVersion'] === 'string' ? t['eventVersion'] : '1.11',
    tls: {
      tlsVersion: typeof tls['tlsVersion'] === 'string' ? tls['tlsVersion'] : 'TLSv1.3',
      cipherSuite: typeof tls['cipherSuite'] === 'string' ? tls['cipherSuite'] : 'TLS_AES_128_GCM_SHA256',
    },
    sessionCredentialFromConsole:
      t['sessionCredentialFromConsole'] === true || t['sessionCredentialFromConsole'] === 'true',
  };
}

export type ConfigTemplateName = 'AWS_S3_Bucket' | 'AWS_KMS_Key' | 'AWS_IAM_User' | 'AWS_Cloudtrail_Trail';

/** A deep copy of a real AWS Config configuration item (awslabs/aws-config-rdk example CI). */
export function configTemplate(name: ConfigTemplateName): JsonObject {
  return structuredClone(load(`config/${name}.json`) as JsonObject);
}

/** The real Clarify bias analysis.json, as raw bytes (copied unchanged into the export). */
export function clarifyAnalysisBytes(): Buffer {
  return readFileSync(`${TEMPLATE_DIR}clarify/fraud-detection-bias_2-analysis.json`);
}
