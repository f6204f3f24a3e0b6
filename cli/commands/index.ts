// Every command of the CLI, in the order `--help` lists them. A new command is one entry.
import type { CommandModule } from 'yargs';
import { bestCommand } from './best.js';
import { codesignCommand } from './codesign.js';
import { compileCommand } from './compile.js';
import { importCommand } from './import.js';
import { infoCommand } from './info.js';
import { runCommand } from './run.js';
import { scheduleCommand } from './schedule.js';
import { trainSchedulerCommand } from './train-scheduler.js';
import { simulateCommand } from './simulate.js';
import { tuneCommand } from './tune.js';
import { zooCommand } from './zoo.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<object, any>[] = [compileCommand, runCommand, infoCommand, scheduleCommand, trainSchedulerCommand, simulateCommand, tuneCommand, bestCommand, codesignCommand, importCommand, zooCommand];
