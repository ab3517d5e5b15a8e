import type { StageProgress } from '../pipeline/context.js';

/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line per 10 % (and per stage) otherwise, so CI logs
 * stay readable. Silent with --json, whose stdout must stay machine-readable (progress goes to stderr anyway).
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): (p: StageProgress) => void {
  const tty = stream.isTTY === true && process.env['CI'] !== 'true';
  let lastStage = '';
  let lastDecile = -1;
  return (p) => {
    if (quiet) return;
    const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
    if (tty) {
      const width = 28;
      const filled = Math.round((pct / 100) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const detail = p.detail.length > 50 ? '…' + p.detail.slice(-49) : p.detail;
      stream.write(`\r\x1b[2K${p.stage.padEnd(8)} ${bar} ${String(pct).padStart(3)}% ${p.done}/${p.total} ${detail}`);
      if (p.done >= p.total) stream.write('\n');
      return;
    }
    const decile = Math.floor(pct / 10);
    if (p.stage !== lastStage || decile !== lastDecile || p.done >= p.total) {
      if (p.stage !== lastStage || decile > lastDecile) stream.write(`${p.stage}: ${p.done}/${p.total} (${pct}%)\n`);
      lastStage = p.stage;
      lastDecile = decile;
    }
  };
}
