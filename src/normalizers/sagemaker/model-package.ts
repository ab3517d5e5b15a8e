import type { ContentOf } from '../../evidence/content.js';
import type { Observation } from '../../evidence/observation.js';
import { collected } from '../../evidence/observation.js';
import type { NormalizeMeta } from '../types.js';
import { MODEL_CARD_STATUSES } from '../../evidence/content.js';
import { baseOf, inputOf, obj, optEnum, optInt, optList, optObj, optStr, optTime, reqStr, userOf } from './common.js';
import type { Obj } from './common.js';

export type ModelPackageContent = ContentOf<'sagemaker.model_package'>;

export const MODEL_APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;

/** The `MetricsSource` members of each `ModelMetrics` section (Smithy `com.amazonaws.sagemaker#ModelMetrics`). */
const BIAS_REPORTS = ['Report', 'PreTrainingReport', 'PostTrainingReport'] as const;

/**
 * `ModelMetrics` → one entry per `MetricsSource` (`{ContentType, ContentDigest?, S3Uri}`), named `Section.Member`
 * (e.g. `Bias.PreTrainingReport`), sorted by name so the CLI and SDK outputs give the same order whatever the key
 * order of the payload. Sections and members are walked generically, so ones AWS adds later are kept too.
 */
function metricsOf(r: Obj, input: string): ModelPackageContent['metrics'] {
  const mm = optObj(r, 'ModelMetrics', input, '');
  if (!mm) return [];
  const out: ModelPackageContent['metrics'] = [];
  for (const section of Object.keys(mm)) {
    const s = optObj(mm, section, input, 'ModelMetrics.');
    if (!s) continue;
    for (const member of Object.keys(s)) {
      const src = optObj(s, member, input, `ModelMetrics.${section}.`);
      if (!src) continue;
      const path = `ModelMetrics.${section}.${member}.`;
      out.push({
        name: `${section}.${member}`,
        s3Uri: reqStr(src, 'S3Uri', input, path),
        contentType: optStr(src, 'ContentType', input, path),
      });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function biasReportUris(metrics: ModelPackageContent['metrics']): string[] {
  const uris: string[] = [];
  for (const member of BIAS_REPORTS) {
    const m = metrics.find((x) => x.name === `Bias.${member}`);
    if (m && !uris.includes(m.s3Uri)) uris.push(m.s3Uri);
  }
  return uris;
}

/** The model artifact: first container with `ModelDataUrl` (or an S3 `ModelDataSource`), else the source algorithm's. */
function modelDataUrlOf(r: Obj, input: string): string | null {
  const spec = optObj(r, 'InferenceSpecification', input, '');
  if (spec) {
    const containers = optList(spec, 'Containers', input, 'InferenceSpecification.');
    for (const [i, c] of containers.entries()) {
      const path = `InferenceSpecification.Containers[${i}].`;
      const container = obj(c, input, path.slice(0, -1));
      const url = optStr(container, 'ModelDataUrl', input, path);
      if (url) return url;
      const source = optObj(container, 'ModelDataSource', input, path);
      const s3 = source ? optObj(source, 'S3DataSource', input, `${path}ModelDataSource.`) : null;
      const uri = s3 ? optStr(s3, 'S3Uri', input, `${path}ModelDataSource.S3DataSource.`) : null;
      if (uri) return uri;
    }
  }
  const algo = optObj(r, 'SourceAlgorithmSpecification', input, '');
  if (algo) {
    for (const [i, a] of optList(algo, 'SourceAlgorithms', input, 'SourceAlgorithmSpecification.').entries()) {
      const path = `SourceAlgorithmSpecification.SourceAlgorithms[${i}]`;
      const url = optStr(obj(a, input, path), 'ModelDataUrl', input, `${path}.`);
      if (url) return url;
    }
  }
  return null;
}

/**
 * `aws sagemaker describe-model-package` / `DescribeModelPackageCommand` → one `sagemaker.model_package`.
 *
 * - `approvedBy` is who last modified an *Approved* package (`LastModifiedBy.UserProfileName`, else
 *   `LastModifiedBy.IamIdentity.Arn`): AWS records the approver only this way. Null when not approved.
 * - `modelCardName`: a model package's card is embedded (`ModelCard`), it has no name of its own; when one is present
 *   it is reported under the package group name (the name Studio shows it under), else the package name. Null when
 *   the package has no card.
 */
export function normalizeModelPackage(response: unknown, meta: NormalizeMeta): Observation<'sagemaker.model_package'> {
  const input = inputOf(meta, 'sagemaker:DescribeModelPackage');
  const r = obj(response, input, 'DescribeModelPackage response');
  const arn = reqStr(r, 'ModelPackageArn', input, '');
  const name = optStr(r, 'ModelPackageName', input, '');
  const groupName = optStr(r, 'ModelPackageGroupName', input, '');
  const approvalStatus = optEnum(r, 'ModelApprovalStatus', MODEL_APPROVAL_STATUSES, input, '');
  const lastModifier = userOf(r, 'LastModifiedBy', input, '');
  userOf(r, 'CreatedBy', input, '');
  optTime(r, 'LastModifiedTime', input, '');
  const card = optObj(r, 'ModelCard', input, '');
  if (card) {
    optEnum(card, 'ModelCardStatus', MODEL_CARD_STATUSES, input, 'ModelCard.');
    optStr(card, 'ModelCardContent', input, 'ModelCard.');
  }
  const metrics = metricsOf(r, input);

  const content: ModelPackageContent = {
    arn,
    groupName,
    version: optInt(r, 'ModelPackageVersion', input, ''),
    approvalStatus,
    approvalDescription: optStr(r, 'ApprovalDescription', input, ''),
    approvedBy: approvalStatus === 'Approved' ? lastModifier.name : null,
    creationTime: optTime(r, 'CreationTime', input, ''),
    modelDataUrl: modelDataUrlOf(r, input),
    metrics,
    biasReportUris: biasReportUris(metrics),
    modelCardName: card ? (groupName ?? name ?? arn) : null,
  };
  return collected(baseOf(meta, 'sagemaker', 'sagemaker.model_package', arn), content);
}
