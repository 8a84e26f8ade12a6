// studies.*: create, list, show, stop and resume hyperparameter studies (core/study/), and
// runs.groups (mean ± std over seeds). Work in progress: the contract first.
import { ServiceError } from '../contract.js';
import type { Handlers, ServiceContext } from './context.js';

type StudyMethod =
  'studies.create' | 'studies.list' | 'studies.get' | 'studies.stop' | 'studies.resume' | 'runs.groups';

export function studyHandlers(_ctx: ServiceContext): Handlers<StudyMethod> {
  const todo = (): never => {
    throw new ServiceError('internal', 'studies are not built yet');
  };
  return {
    'studies.create': todo,
    'studies.list': todo,
    'studies.get': todo,
    'studies.stop': todo,
    'studies.resume': todo,
    'runs.groups': todo,
  };
}
