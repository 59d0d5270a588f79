// createActivities(deps) returns every activity the worker registers. Workflows import only the *type*.
import type { Database } from '../db/connection.js';
import { createTaskActivities } from './tasks.js';

export interface ActivityDeps {
  db: Database;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createTaskActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
