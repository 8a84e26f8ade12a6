// settings.get / settings.set: per-database settings in the settings table, so the desktop app,
// browser mode and every CLI process on one database apply the same trainer limit.
import { availableParallelism } from 'node:os';
import type { Settings } from '../contract.js';
import { deleteSetting, getSetting, setSetting } from '../../db/settings.js';
import type { DB } from '../../db/open.js';
import type { Handlers, ServiceContext } from './context.js';

const MAX_TRAINERS = 'max_trainers';

/** One trainer per two cores: a trainer keeps about two busy (TF.js kernels plus the loop). */
export const defaultMaxTrainers = (): number => Math.max(1, Math.floor(availableParallelism() / 2));

export function readSettings(db: DB): Settings {
  const stored = Number(getSetting(db, MAX_TRAINERS));
  const set = Number.isInteger(stored) && stored >= 1;
  const defaultMax = defaultMaxTrainers();
  return { maxTrainers: set ? stored : defaultMax, defaultMaxTrainers: defaultMax, maxTrainersSet: set };
}

export function settingsHandlers(ctx: ServiceContext, onChange: () => void): Handlers<'settings.get' | 'settings.set'> {
  const { db } = ctx;
  return {
    'settings.get': () => readSettings(db),
    'settings.set': ({ maxTrainers }) => {
      if (maxTrainers === null) deleteSetting(db, MAX_TRAINERS);
      else setSetting(db, MAX_TRAINERS, String(maxTrainers));
      // A higher limit starts waiting runs at once.
      onChange();
      return readSettings(db);
    },
  };
}
