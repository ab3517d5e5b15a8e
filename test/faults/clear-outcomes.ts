import { rmSync } from 'node:fs';
import { OUTCOMES_DIR } from './outcomes.js';

/** vitest globalSetup of the fault suite: outcomes of an earlier run never reach docs/reliability.md. */
export default function setup(): void {
  rmSync(OUTCOMES_DIR, { recursive: true, force: true });
}
