import { collected, type Observation } from '../../evidence/observation.js';
import { inputName } from '../cloudtrail/trail.js';
import { asArray, asRecord, field, optBool, optString, requireString, type NormalizeMeta } from '../types.js';
import { configBase } from './common.js';

/** DescribeConfigurationRecorderStatus, optionally joined with DescribeConfigurationRecorders. */
export function normalizeRecorders(status: unknown, recorders: unknown, meta: NormalizeMeta): Observation<'config.recorder'>[] {
  const input = inputName(meta);
  const list = asArray(asRecord(status, input, 'DescribeConfigurationRecorderStatus output')['ConfigurationRecordersStatus'] ?? [], input, 'ConfigurationRecordersStatus');
  const definitions = (field(recorders, 'ConfigurationRecorders') as unknown[] | undefined) ?? [];
  return list.map((s, i) => {
    const rec = asRecord(s, input, `ConfigurationRecordersStatus[${i}]`);
    const name = requireString(rec, 'name', input, `ConfigurationRecordersStatus[${i}]`);
    const def = definitions.find((d) => field(d, 'name') === name);
    const group = field(def, 'recordingGroup');
    const allSupported = field(group, 'allSupported');
    const includeGlobal = field(group, 'includeGlobalResourceTypes');
    return collected(configBase('config.recorder', `config-recorder/${name}`, meta), {
      name,
      recording: optBool(rec, 'recording') ?? false,
      lastStatus: optString(rec, 'lastStatus'),
      allSupported: typeof allSupported === 'boolean' ? allSupported : null,
      includeGlobalResourceTypes: typeof includeGlobal === 'boolean' ? includeGlobal : null,
    });
  });
}
