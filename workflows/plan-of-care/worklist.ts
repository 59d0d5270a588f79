// The plan of care's tasks on the staff worklist: raised as humanTask children (tracked by topic while the
// work can still become moot), and cancelled once the episode no longer needs them.
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { StaffRole } from '../../domain/tasks.js';
import { raiseTask } from '../tasks/raise-task.js';
import { cancelTaskSignal } from '../tasks/messages.js';
import type { EpisodeRun } from './episode-run.js';
import { PLAN_OF_CARE_WORKFLOW_TYPE, type TaskTopic } from './messages.js';

export interface EpisodeTask {
  kind: string;
  /** PHI-free title shown on the worklist. */
  title: string;
  role: StaffRole;
  dueInHours: number;
  details?: Record<string, string | number | boolean>;
  /** Set when recording the work makes the task moot (it is then cancelled, see closeTasks). */
  topic?: TaskTopic;
}

/** Raises a task for the episode; one with a topic stays tracked until its work is recorded. */
export async function raiseEpisodeTask(run: EpisodeRun, task: EpisodeTask): Promise<void> {
  const { input } = run;
  const taskWorkflowId = await raiseTask(
    {
      practiceId: input.practiceId,
      patientId: input.patientId,
      processKind: PLAN_OF_CARE_WORKFLOW_TYPE,
      details: { episodeId: input.episodeId },
      timeZone: input.timezone,
    },
    {
      kind: task.kind,
      title: task.title,
      role: task.role,
      dueInHours: task.dueInHours,
      details: task.details ?? {},
    },
  );
  if (task.topic) run.openTasks.push({ workflowId: taskWorkflowId, topic: task.topic });
}

/** Cancel open tasks the episode no longer needs (a person may have completed one already: that is fine). */
export async function closeTasks(run: EpisodeRun, topics: readonly TaskTopic[]): Promise<void> {
  const moot = run.openTasks.filter((task) => topics.includes(task.topic));
  run.openTasks = run.openTasks.filter((task) => !topics.includes(task.topic));
  for (const task of moot) {
    try {
      await getExternalWorkflowHandle(task.workflowId).signal(cancelTaskSignal, { reason: 'not_needed' });
    } catch {
      // Already closed.
    }
  }
}

/** Cancels the tasks whose work was recorded since the last pass. */
export async function closeResolvedTasks(run: EpisodeRun): Promise<void> {
  if (run.resolvedTopics.size === 0) return;
  const topics = [...run.resolvedTopics];
  run.resolvedTopics.clear();
  await closeTasks(run, topics);
}
