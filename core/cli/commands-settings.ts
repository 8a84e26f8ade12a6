// `settings`: the per-database settings the desktop app and browser mode show too (the settings
// table), and `--max-trainers N` on train and serve, which sets the same stored value.
import { MAX_TRAINERS_LIMIT, type Settings } from '../contract.js';
import { must } from './calls.js';
import { JSON_OPTION, UsageError, type Command, type CommandContext, type OptionSpec } from './table.js';

export const MAX_TRAINERS_OPTION: Record<string, OptionSpec> = {
  'max-trainers': {
    type: 'string',
    value: 'N|default',
    help: 'trainers that may run at once on this database (stored with it; default: one per two cores); more runs wait queued',
  },
};

/** Applies `--max-trainers` when given; null when the line does not set it. */
export async function applyMaxTrainers(ctx: CommandContext, cmd: Command): Promise<Settings | null> {
  const raw = ctx.string('max-trainers');
  if (raw === undefined) return null;
  let value: number | null = null;
  if (raw !== 'default') {
    value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > MAX_TRAINERS_LIMIT) {
      throw new UsageError(
        `--max-trainers expects a whole number from 1 to ${MAX_TRAINERS_LIMIT} or "default", got "${raw}"`,
        cmd,
      );
    }
  }
  return must(ctx.svc, 'settings.set', { maxTrainers: value });
}

export const describeMaxTrainers = (s: Settings): string =>
  `max trainers: ${s.maxTrainers}${s.maxTrainersSet ? ` (default on this machine: ${s.defaultMaxTrainers})` : ' (the default: one per two cores)'}`;

export const settingsCommand: Command = {
  name: 'settings',
  usage: '[--max-trainers N|default] [--json]',
  summary: "show or change this database's settings (shared with the desktop app and browser mode)",
  options: { ...MAX_TRAINERS_OPTION, ...JSON_OPTION },
  positionals: [0, 0],
  db: 'write',
  async run(ctx) {
    const s = (await applyMaxTrainers(ctx, settingsCommand)) ?? (await must(ctx.svc, 'settings.get', {}));
    console.log(ctx.flag('json') ? JSON.stringify(s) : describeMaxTrainers(s));
    return 0;
  },
};
