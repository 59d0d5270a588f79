// The steps of the first-run setup wizard (GET/POST /console/setup/<step>): what each asks, its fields, how it
// loads what is saved and how it saves — through the practice service the admin REST routes (/v1/practice…)
// call, never over HTTP — and which of the profile's missing items belong to it.
import type { Principal } from '../auth/principal.js';
import type { FormField, ParsesBody } from './forms.js';
import type { UploadedFile } from './multipart.js';
import type { Database } from '../../db/connection.js';

export interface SetupDeps {
  db: Database;
}

export const STEP_KEYS = [
  'identity',
  'contact',
  'locations',
  'payers',
  'fee-schedule',
  'therapists',
  'referring-providers',
] as const;
export type StepKey = (typeof STEP_KEYS)[number];

/** What a step's page shows of the saved profile: the form's current values and/or a table of saved rows. */
export interface StepView {
  values?: Record<string, string>;
  table?: { caption: string; columns: string[]; rows: string[][] };
}

export interface SetupStep {
  key: StepKey;
  title: string;
  intro: string;
  /** Heading of the form on list steps ("Add a location"). */
  formHeading?: string;
  submitLabel: string;
  fields: readonly FormField[];
  /** The file field of an upload step. */
  fileField?: string;
  /** After a successful save: stay on the step (lists: add another) or go on to the next one. */
  after: 'stay' | 'next';
  /** The notice shown after a save. */
  saved: string;
  load(deps: SetupDeps, practiceId: string): Promise<StepView>;
  /** The schema (or check) of the posted values. */
  validate: ParsesBody<unknown>;
  /** Saves the validated body; throws HttpProblem (field errors) or FormRejected (e.g. CSV rows). */
  save(
    deps: SetupDeps,
    principal: Principal,
    body: unknown,
    files: Record<string, UploadedFile>,
  ): Promise<void>;
}

/** One step's state in the overview. */
export interface StepProgress {
  key: StepKey;
  title: string;
  done: boolean;
  /** The profile's missing items that this step fills in, in words. */
  missing: string[];
}

/** Where setup stands: "N of M steps done". */
export interface SetupProgress {
  steps: StepProgress[];
  done: number;
  total: number;
}

/** The steps, in order. */
export const SETUP_STEPS: readonly SetupStep[] = [];

/** The profile's missing items, each with the step that fills it in. */
async function missingItems(
  _deps: SetupDeps,
  _practiceId: string,
): Promise<{ step: StepKey; text: string }[]> {
  return [];
}

export const stepByKey = (key: string): SetupStep | undefined => SETUP_STEPS.find((s) => s.key === key);

/** Setup progress of a practice, from the practice service's own list of what is missing. */
export async function setupProgress(deps: SetupDeps, practiceId: string): Promise<SetupProgress> {
  const missing = await missingItems(deps, practiceId);
  const steps = SETUP_STEPS.map((s) => {
    const mine = missing.filter((m) => m.step === s.key).map((m) => m.text);
    return { key: s.key, title: s.title, done: mine.length === 0, missing: mine };
  });
  return { steps, done: steps.filter((s) => s.done).length, total: steps.length };
}
