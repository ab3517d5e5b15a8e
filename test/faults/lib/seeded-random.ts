/** A small seeded PRNG (mulberry32): the fault scenarios pick their kill points from it, so a run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a scenario: AUDITPACK_FAULT_SEED when set (to replay a failure), else the scenario's default. */
export function faultSeed(fallback: number): number {
  const env = process.env['AUDITPACK_FAULT_SEED'];
  return env && /^\d+$/.test(env) ? Number(env) : fallback;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
