// Child process for the concurrency tests: writes 40 shared and 10 own observations into the store at argv[2], one by
// one, or with argv[4] = "batch" the 40 shared ones as one batch (every process the same batch) and its own one by one.
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { collected } from '../../src/evidence/observation.js';
import { writeObservation, writeObservations } from '../../src/evidence/writer.js';

const [dir, seed, mode] = process.argv.slice(2) as [string, string, string | undefined];
const store = new LocalDirectoryStore(dir);
const ctx = { store, now: () => new Date(), collectorVersion: 'test', callerIdentity: null };
const names = [
  ...Array.from({ length: 40 }, (_, i) => `shared-${i}`),
  ...Array.from({ length: 10 }, (_, i) => `${seed}-${i}`),
];
const observation = (name: string) =>
  collected(
    {
      collector: 'config',
      kind: 'config.recorder',
      account: '111122223333',
      region: 'eu-west-1',
      resource: `config-recorder/${name}`,
      observedAt: { type: 'instant', at: '2026-10-31T00:00:00.000Z' },
      raw: null,
      sources: [{ type: 'api', operation: 'config:DescribeConfigurationRecorderStatus', requestId: seed }],
    },
    { name, recording: true, lastStatus: 'SUCCESS', allSupported: true, includeGlobalResourceTypes: true },
  );
if (mode === 'batch') {
  await writeObservations(ctx, names.slice(0, 40).map(observation));
  for (const name of names.slice(40)) await writeObservation(ctx, observation(name));
} else {
  for (const name of names) await writeObservation(ctx, observation(name));
}
