/**
 * The planted state as data: what `expected-state.json` holds. It is independent of the seed (only the background
 * CloudTrail noise depends on it), so the committed file matches every generated tree.
 */
import {
  ACCOUNT_NAMES,
  ACCOUNTS,
  BUCKETS,
  COLLECTION_TIME,
  DAYS_IN_PERIOD,
  DEFAULT_SEED,
  EU,
  GUARDRAILS,
  isoZ,
  MLDEV,
  MLDEV_US_MISSING_DAYS,
  MODELS,
  ORGANISATION,
  P,
  PERIOD_LABEL,
  PROD,
  REGIONS,
  US,
} from './common.js';
import type { JsonObject } from './cloudtrail-event.js';
import { TRAILS } from './cloudtrail.js';
import { HIPAA_PACK, HIPAA_PACK_RULES, KEYS_BY_PAIR, ruleStates, configSnapshot } from './config.js';
import {
  invocationLogFiles,
  loggingConfiguration,
  MLDEV_GUARDRAIL_DELETED_AT,
  MLDEV_LOGGING_DELETED_AT,
  planInvocations,
  prodGuardrail,
} from './bedrock.js';
import { plantedChanges } from './planted.js';
import {
  APPROVAL_DESCRIPTION,
  clarifyPostTrainingMetrics,
  devLineage,
  HOSTILE_INTENDED_USES,
  prodLineage,
  sagemakerEvents,
  SM,
  SM_TIMES,
} from './sagemaker.js';
import { CHURN_COUNTS, CHURN_DI } from './clarify.js';
import { ARTIFACT_REPORTS } from './artifact.js';

const day = (d: number): string => `2026-10-${String(d).padStart(2, '0')}`;

export function expectedState(): JsonObject {
  const invocations = planInvocations();
  const logFiles = invocationLogFiles(invocations);
  const changes = plantedChanges();
  const smEvents = sagemakerEvents();

  const logCoverage: JsonObject = {};
  for (const a of ACCOUNTS) {
    for (const r of REGIONS) {
      const missing = a === MLDEV && r === US ? MLDEV_US_MISSING_DAYS.map(day) : [];
      logCoverage[`${a}/${r}`] = { daysWithFiles: DAYS_IN_PERIOD - missing.length, missingDays: missing };
    }
  }

  const runtimeEvents: JsonObject = {};
  for (const a of ACCOUNTS) {
    for (const r of REGIONS) {
      const list = invocations.filter((i) => i.account === a && i.region === r);
      runtimeEvents[`${a}/${r}`] = {
        cloudTrailEvents: list.length,
        converse: list.filter((i) => i.operation === 'Converse').length,
        invokeModel: list.filter((i) => i.operation === 'InvokeModel').length,
      };
    }
  }

  const perPairLogs: JsonObject = {};
  for (const a of ACCOUNTS) {
    for (const r of REGIONS) {
      const logged = invocations.filter((i) => i.account === a && i.region === r && i.logged);
      const files = logFiles.filter((f) => f.rel.startsWith(`AWSLogs/${a}/BedrockModelInvocationLogs/${r}/`));
      const first = logged[0];
      const last = logged[logged.length - 1];
      perPairLogs[`${a}/${r}`] = {
        records: logged.length,
        files: files.length,
        firstTimestamp: first ? isoZ(first.time) : null,
        lastTimestamp: last ? isoZ(last.time) : null,
        daysWithRecords: [...new Set(logged.map((i) => isoZ(i.time).slice(0, 10)))].length,
      };
    }
  }

  const prodLogged = invocations.filter((i) => i.account === PROD && i.logged);
  const prodPii = prodLogged.filter((i) => i.pii.length > 0);
  const unguarded = prodPii.filter((i) => i.guard !== 'intervened');
  const mldevAfter = invocations.filter((i) => i.account === MLDEV && !i.logged);

  const rules: JsonObject[] = [];
  for (const a of ACCOUNTS) {
    for (const r of REGIONS) {
      for (const s of ruleStates(a, r)) {
        rules.push({
          account: a,
          region: r,
          ruleName: s.rule.name,
          sourceIdentifier: s.rule.identifier,
          complianceType: s.compliance,
          outcome: s.resources.length === 0 ? 'NOT_APPLICABLE' : s.compliance,
          ...(s.notApplicableReason ? { notApplicableReason: s.notApplicableReason } : {}),
          evaluatedResources: s.resources.length,
          nonCompliantResources: s.resources
            .filter((x) => x.compliance === 'NON_COMPLIANT')
            .map((x) => ({ resourceType: x.resourceType, resourceId: x.resourceId, resourceName: x.resourceName })),
        });
      }
    }
  }

  const bias = clarifyPostTrainingMetrics();
  const lineageFacts = (l: ReturnType<typeof prodLineage>): JsonObject => ({
    vertices: l.vertices.map((v) => ({ arn: v.Arn, type: v.Type, lineageType: v.LineageType, source: v.source })),
    datasetVertices: l.vertices.filter((v) => v.Type === 'DataSet').map((v) => ({ arn: v.Arn, source: v.source })),
  });

  return {
    $comment:
      'Planted state of the Northwind Health AI example (examples/northwind/STATE.md explains every item). Independent of the generator seed: only the background CloudTrail noise and CloudTrail file names depend on it.',
    generator: {
      defaultSeed: DEFAULT_SEED,
      seedDependent: ['background CloudTrail events', 'CloudTrail file names and cuts', 'total CloudTrail event count'],
    },
    organisation: ORGANISATION,
    accounts: ACCOUNTS.map((id) => ({ id, name: ACCOUNT_NAMES[id] })),
    regions: [...REGIONS],
    period: { label: PERIOD_LABEL, start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
    collectionTime: COLLECTION_TIME,
    cloudtrail: {
      cliWrittenFor: ACCOUNTS.map((account) => ({ account, region: EU })),
      trails: [
        {
          account: PROD,
          region: EU,
          name: TRAILS.prod.name,
          arn: TRAILS.prod.arn,
          isMultiRegionTrail: true,
          logFileValidationEnabled: true,
          kmsKeyId: TRAILS.prod.kmsKeyId,
          isLogging: true,
          cloudWatchLogsLogGroupArn: TRAILS.prod.logGroupArn,
          dataEvents: {
            selectorKind: 'advanced',
            resourceType: 'AWS::S3::Object',
            arnPrefix: `arn:aws:s3:::${BUCKETS.mlData}/`,
          },
        },
        {
          account: MLDEV,
          region: EU,
          name: TRAILS.mldev.name,
          arn: TRAILS.mldev.arn,
          isMultiRegionTrail: false,
          logFileValidationEnabled: false,
          kmsKeyId: null,
          isLogging: true,
          cloudWatchLogsLogGroupArn: null,
          dataEvents: null,
        },
      ],
      logFiles: logCoverage,
      sensitiveChanges: changes.map((c) => ({
        id: c.id,
        account: c.spec.account,
        region: c.spec.region,
        eventTime: isoZ(c.spec.time),
        eventSource: c.spec.eventSource,
        eventName: c.spec.eventName,
        principal: c.spec.principal.arn,
        errorCode: c.spec.errorCode ?? null,
        countsAsChange: c.countsAsChange,
        eventID: c.spec.eventId,
        requestID: c.spec.requestId,
        description: c.description,
        template: { repo: c.origin.repo, commit: c.origin.commit, path: c.origin.path },
      })),
      modelApproval: {
        account: PROD,
        region: EU,
        eventTime: isoZ(SM_TIMES.approved),
        eventName: 'UpdateModelPackage',
        modelPackageArn: SM.prod.packageArn,
        modelApprovalStatus: 'Approved',
        approvedBy: P.prod.dana.arn,
      },
      sagemakerEvents: smEvents.map((e) => ({
        account: e.account,
        region: e.region,
        eventTime: isoZ(e.time),
        eventName: e.eventName,
        principal: e.principal.arn,
        eventID: e.eventId,
        requestID: e.requestId,
      })),
      bedrockRuntimeEvents: runtimeEvents,
    },
    config: {
      recorders: ACCOUNTS.flatMap((account) =>
        REGIONS.map((region) => ({ account, region, recording: true, includeGlobalResourceTypes: region === EU })),
      ),
      rules,
      conformancePacks: [
        {
          account: PROD,
          region: EU,
          name: HIPAA_PACK,
          rules: ruleStates(PROD, EU)
            .filter((s) => HIPAA_PACK_RULES.includes(s.rule.name))
            .map((s) => ({ ruleName: s.rule.name, complianceType: s.compliance })),
        },
      ],
      snapshots: ACCOUNTS.flatMap((account) =>
        REGIONS.map((region) => {
          const snap = configSnapshot(account, region);
          return {
            account,
            region,
            file: snap.rel,
            items: snap.items,
            kmsKeys: (KEYS_BY_PAIR[`${account}/${region}`] ?? []).map((k) => ({
              keyId: k.keyId,
              origin: k.origin,
              keyRotationStatus: k.rotation,
              evaluatedByCmkRotationRule: k.origin === 'AWS_KMS',
            })),
          };
        }),
      ),
    },
    bedrock: {
      loggingConfiguration: ACCOUNTS.flatMap((account) =>
        REGIONS.map((region) => {
          const cfg = loggingConfiguration(account, region)['loggingConfig'] as JsonObject | undefined;
          const s3 = cfg?.['s3Config'] as JsonObject | undefined;
          const cw = cfg?.['cloudWatchConfig'] as JsonObject | undefined;
          return {
            account,
            region,
            enabled: cfg !== undefined,
            s3Bucket: s3?.['bucketName'] ?? null,
            cloudWatchLogGroup: cw?.['logGroupName'] ?? null,
            textDataDeliveryEnabled: cfg?.['textDataDeliveryEnabled'] ?? null,
            note:
              account === PROD
                ? 'enabled'
                : region === EU
                  ? `empty: deleted at ${isoZ(MLDEV_LOGGING_DELETED_AT)} (invocations continue, visible in CloudTrail only)`
                  : 'empty: never enabled; no invocations in this region',
          };
        }),
      ),
      loggingDeleted: { account: MLDEV, region: EU, at: isoZ(MLDEV_LOGGING_DELETED_AT) },
      guardrails: [
        {
          account: PROD,
          region: EU,
          guardrailId: GUARDRAILS.prod.id,
          version: GUARDRAILS.prod.version,
          file: `cli/${PROD}/${EU}/bedrock/get-guardrail.${GUARDRAILS.prod.id}.json`,
          piiEntities: (prodGuardrail()['sensitiveInformationPolicy'] as { piiEntities: unknown[] }).piiEntities,
        },
      ],
      deletedGuardrail: {
        account: MLDEV,
        region: EU,
        guardrailId: GUARDRAILS.mldevDeleted.id,
        deletedAt: isoZ(MLDEV_GUARDRAIL_DELETED_AT),
      },
      invocationLogs: perPairLogs,
      models: [MODELS.haiku, MODELS.titan],
      totalLoggedRecords: invocations.filter((i) => i.logged).length,
      pii: {
        prod: {
          records: prodLogged.length,
          recordsWithPii: prodPii.length,
          guardrailIntervened: prodPii.filter((i) => i.guard === 'intervened').length,
          piiTypeCounts: countTypes(prodPii.flatMap((i) => i.pii.map((p) => p.type))),
          unguarded: unguarded.map((i) => ({
            requestId: i.requestId,
            timestamp: isoZ(i.time),
            principal: i.principal.arn,
            operation: i.operation,
            modelId: i.modelId,
            piiTypes: i.pii.map((p) => p.type),
            guardrailOnCall: i.guard === 'applied',
            reason: i.unguardedReason ?? null,
          })),
        },
        mldev: { records: invocations.filter((i) => i.account === MLDEV && i.logged).length, recordsWithPii: 0 },
      },
      invocationsAfterLoggingDeleted: {
        account: MLDEV,
        region: EU,
        cloudTrailEventsOnly: mldevAfter.length,
        first: mldevAfter[0] ? isoZ(mldevAfter[0].time) : null,
        last: mldevAfter[mldevAfter.length - 1] ? isoZ(mldevAfter[mldevAfter.length - 1]?.time ?? 0) : null,
      },
      noInvocations: [
        { account: PROD, region: US },
        { account: MLDEV, region: US },
      ],
    },
    sagemaker: {
      emptyDirectories: [
        { account: PROD, region: US, path: `cli/${PROD}/${US}/sagemaker/` },
        { account: MLDEV, region: US, path: `cli/${MLDEV}/${US}/sagemaker/` },
      ],
      modelPackages: [
        {
          account: PROD,
          region: EU,
          group: SM.prod.group,
          version: SM.prod.version,
          arn: SM.prod.packageArn,
          modelApprovalStatus: 'Approved',
          approvedBy: P.prod.dana.arn,
          approvedAt: isoZ(SM_TIMES.approved),
          approvalDescription: APPROVAL_DESCRIPTION,
          biasReport: SM.prod.clarifyReport,
        },
        {
          account: MLDEV,
          region: EU,
          group: SM.mldev.group,
          version: SM.mldev.version,
          arn: SM.mldev.packageArn,
          modelApprovalStatus: 'PendingManualApproval',
          biasReport: null,
        },
      ],
      endpoints: [
        {
          account: PROD,
          region: EU,
          name: SM.prod.endpoint,
          config: SM.prod.endpointConfig,
          model: SM.prod.model,
          modelPackage: SM.prod.packageArn,
          kms: true,
          dataCapture: true,
        },
        {
          account: MLDEV,
          region: EU,
          name: SM.mldev.endpoint,
          config: SM.mldev.endpointConfig,
          model: SM.mldev.model,
          modelPackage: SM.mldev.packageArn,
          kms: false,
          dataCapture: false,
        },
      ],
      modelCards: [
        { account: PROD, region: EU, name: SM.prod.card, status: 'Approved', riskRating: 'Medium', schemaValid: true },
        {
          account: PROD,
          region: EU,
          name: SM.prod.draftCard,
          status: 'Draft',
          riskRating: null,
          schemaValid: true,
          hostileText: HOSTILE_INTENDED_USES,
        },
      ],
      lineage: [
        {
          account: PROD,
          region: EU,
          start: SM.prod.endpoint,
          reachesDataset: true,
          dataset: SM.prod.dataset,
          ...lineageFacts(prodLineage()),
        },
        {
          account: MLDEV,
          region: EU,
          start: SM.mldev.endpoint,
          reachesDataset: false,
          stopsAt: 'TrainingJob',
          ...lineageFacts(devLineage()),
        },
      ],
    },
    clarify: {
      reports: [
        {
          account: PROD,
          region: EU,
          subject: 'credit-risk',
          file: `clarify/${PROD}/${EU}/credit-risk/analysis.json`,
          origin:
            'real SageMaker Clarify output copied unchanged (aws/amazon-sagemaker-examples, archived/fraud_detection/clarify_output/bias_2/analysis.json)',
          facet: bias.facet,
          postTrainingDI: bias.metrics.find((m) => m.name === 'DI')?.value ?? null,
          diWithinFourFifths: true,
        },
      ],
      predictions: [
        {
          account: MLDEV,
          region: EU,
          subject: 'churn',
          file: `clarify/${MLDEV}/${EU}/churn/predictions.csv`,
          columns: ['facet', 'label', 'prediction'],
          rows: CHURN_COUNTS.a.n + CHURN_COUNTS.d.n,
          facetName: CHURN_COUNTS.facetName,
          sensitiveFacetValue: CHURN_COUNTS.sensitiveFacetValue,
          positiveLabel: CHURN_COUNTS.positiveLabel,
          counts: { facet0: CHURN_COUNTS.a, facet1: CHURN_COUNTS.d },
          expectedDI: CHURN_DI,
          diWithinFourFifths: false,
        },
      ],
    },
    artifact: {
      account: PROD,
      reports: ARTIFACT_REPORTS.map((r) => ({
        id: r.id,
        name: r.name,
        series: r.series,
        category: r.category,
        periodStart: isoZ(r.periodStart).slice(0, 10),
        periodEnd: isoZ(r.periodEnd).slice(0, 10),
        metadataFile: `cli/${PROD}/global/artifact/get-report-metadata.${r.id}.json`,
        pdfFile: `cli/${PROD}/global/artifact/get-report.${r.id}.pdf`,
      })),
    },
    exceptions: [
      {
        id: 'EXC-2026-001',
        framework: 'soc2',
        control: 'CC7.2',
        expires: '2027-03-31',
        activeDuringPeriod: true,
        covers: `trail ${TRAILS.mldev.arn} without log file validation`,
      },
      {
        id: 'EXC-2025-014',
        framework: 'hipaa',
        control: '164.312(b)',
        expires: '2026-06-30',
        activeDuringPeriod: false,
        covers: 'ml-dev Bedrock model invocation logging (expired before the period)',
      },
    ],
  };
}

function countTypes(types: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of [...types].sort()) out[t] = (out[t] ?? 0) + 1;
  return out;
}
