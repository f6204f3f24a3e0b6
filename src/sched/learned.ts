// Placeholder until the learned scheduler lands.
import type { Core } from '../core/core.js';
import type { Assignment, ScheduleProblem } from './problem.js';

export function learnedSchedule(_core: Core, _problem: ScheduleProblem): Assignment {
  throw new Error('the learned scheduler is not available yet');
}
