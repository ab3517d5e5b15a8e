import type { Command } from 'commander';
import { Option } from 'commander';
import type { z } from 'zod';
import { loadQueueAwareConfig, type QueueAwareConfig } from '../../queue/config.js';
import { openProducer } from '../../queue/producer.js';
import type { QueueHandles } from '../../queue/queues.js';
import {
  listSchedules,
  removeSchedule,
  ScheduleError,
  syncSchedules,
  upsertCollectSchedule,
  upsertPackSchedule,
  type ScheduleInfo,
} from '../../queue/schedules.js';
import { CollectSchedule, PackSchedule } from '../../queue/settings.js';
import { EXIT, UsageError } from '../exit-codes.js';

interface Common {
  config?: string;
  json?: boolean;
}

function list(flag: string | undefined): string[] | undefined {
  return flag
    ? flag
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new UsageError(
      r.error.issues.map((i) => `${i.path.length ? `--${String(i.path[0])}` : 'schedule'}: ${i.message}`).join('; '),
    );
  return r.data;
}

async function withQueues<T>(opts: Common, fn: (q: QueueHandles, cfg: QueueAwareConfig) => Promise<T>): Promise<T> {
  const cfg = loadQueueAwareConfig(opts.config);
  const q = await openProducer(cfg);
  try {
    return await fn(q, cfg);
  } catch (err) {
    if (err instanceof ScheduleError) throw new UsageError(err.message);
    throw err;
  } finally {
    await q.close();
  }
}

function describe(s: ScheduleInfo): string {
  const when = s.every !== null ? `every ${s.every} ms` : `${s.pattern ?? '?'} (${s.tz ?? 'UTC'})`;
  const what =
    s.data?.kind === 'schedule' && 'frameworks' in s.data
      ? `pack ${s.data.frameworks.join(',')} for the previous month${s.data.deliver.length ? `, deliver to ${s.data.deliver.join(',')}` : ''}`
      : s.data && 'collector' in s.data && s.data.collector
        ? `collect ${s.data.collector} (live, scope accounts × regions)`
        : s.data && 'source' in s.data && s.data.source
          ? `collect ${s.data.source}`
          : s.kind;
  return `${s.id.padEnd(24)} ${when.padEnd(34)} next ${s.next ?? '-'}  ${what}`;
}

function print(opts: Common, value: unknown, text: string): void {
  process.stdout.write(opts.json ? JSON.stringify(value, null, 2) + '\n' : text + '\n');
}

const withCommon = (cmd: Command): Command =>
  cmd.option('--config <file>', 'config file (default: ./auditpack.yaml if present)').option('--json', 'print JSON');

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('Manage schedules (BullMQ job schedulers): continuous collection and the monthly pack')
    .addHelpText(
      'after',
      '\nWorkers (`auditpack worker`) run what the schedules fire. Exit codes: 0 ok, 1 no such schedule (remove), 2 bad flags or config, 3 Redis unreachable.',
    );

  withCommon(schedule.command('list').description('List schedules with their next run')).action(
    async (opts: Common) => {
      const all = await withQueues(opts, (q) => listSchedules(q));
      print(opts, all, all.length ? all.map(describe).join('\n') : 'no schedules');
      process.exitCode = EXIT.ok;
    },
  );

  const add = schedule.command('add').description('Add or replace a schedule');
  withCommon(
    add
      .command('collect <id>')
      .description('Continuous collection: a live collector over the scope, or an export directory'),
  )
    .option('--collector <id>', 'live collector id (every scope account × region)')
    .option('--source <dir>', 'export directory read again on each run')
    .option('--every <duration>', 'interval: 30s, 15m, 1h, 1d')
    .option('--pattern <cron>', 'cron pattern, e.g. "0 * * * *"')
    .option('--tz <zone>', 'time zone of the pattern (default: config schedules.tz)')
    .option('--lookback <duration>', 'window of each run (default: twice the interval, else 1d)')
    .action(
      async (
        id: string,
        opts: Common & {
          collector?: string;
          source?: string;
          every?: string;
          pattern?: string;
          tz?: string;
          lookback?: string;
        },
      ) => {
        const s = parse(CollectSchedule, {
          id,
          collector: opts.collector,
          source: opts.source,
          every: opts.every,
          pattern: opts.pattern,
          tz: opts.tz,
          lookback: opts.lookback,
        });
        const info = await withQueues(opts, (q, cfg) =>
          upsertCollectSchedule(q, s, { baseDir: process.cwd(), tz: cfg.schedules.tz }),
        );
        print(opts, info, describe(info));
        process.exitCode = EXIT.ok;
      },
    );
  withCommon(
    add
      .command('pack <id>')
      .description('The monthly pack: on the first of each month (by default), for the previous month'),
  )
    .requiredOption('--framework <ids>', 'comma-separated framework ids')
    .option('--pattern <cron>', 'cron pattern', '0 3 1 * *')
    .option('--tz <zone>', 'time zone (default: config schedules.tz)')
    .option('--source <dirs>', 'comma-separated export directories collected as part of the pack')
    .option('--live', 'also collect live as part of the pack (scope accounts × regions)')
    .option('--deliver <targets>', 'comma-separated delivery targets')
    .addOption(new Option('--no-bundle', 'no signed bundle'))
    .action(
      async (
        id: string,
        opts: Common & {
          framework: string;
          pattern: string;
          tz?: string;
          source?: string;
          live?: boolean;
          deliver?: string;
          bundle: boolean;
        },
      ) => {
        const s = parse(PackSchedule, {
          id,
          frameworks: list(opts.framework) ?? [],
          pattern: opts.pattern,
          tz: opts.tz,
          sources: list(opts.source) ?? [],
          live: opts.live ?? false,
          deliver: list(opts.deliver) ?? [],
          bundle: opts.bundle,
        });
        const info = await withQueues(opts, (q, cfg) =>
          upsertPackSchedule(q, s, { baseDir: process.cwd(), tz: cfg.schedules.tz }),
        );
        print(opts, info, describe(info));
        process.exitCode = EXIT.ok;
      },
    );

  withCommon(schedule.command('remove <id>').description('Remove a schedule')).action(
    async (id: string, opts: Common) => {
      const removed = await withQueues(opts, (q) => removeSchedule(q, id));
      print(opts, { id, removed }, removed ? `removed ${id}` : `no schedule ${id}`);
      process.exitCode = removed ? EXIT.ok : EXIT.findings;
    },
  );

  withCommon(schedule.command('sync').description('Add or replace every schedule of the config (schedules:)'))
    .option('--prune', 'also remove schedules the config does not list')
    .action(async (opts: Common & { prune?: boolean }) => {
      const r = await withQueues(opts, (q, cfg) =>
        syncSchedules(q, cfg.schedules, { baseDir: cfg.loaded.baseDir, prune: opts.prune ?? false }),
      );
      print(opts, r, `upserted ${r.upserted.join(', ') || 'none'}; removed ${r.removed.join(', ') || 'none'}`);
      process.exitCode = EXIT.ok;
    });
}
