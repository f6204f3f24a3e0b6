// A command's name and description are all `mapwise --help` needs, so they live in the table of
// cli/commands/index.ts; the rest (options, handler) lives in the command's module, which yargs
// loads only when that command runs or shows its own help. So each command pays the start-up of
// its own dependencies (plots, the MILP solver, the ONNX decoder…) and no other's.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

/** What a command's module exports: its options and its handler. */
export interface CommandParts<Args> {
  builder?: (y: Argv) => Argv<Args> | PromiseLike<Argv<Args>>;
  handler: (argv: ArgumentsCamelCase<Args>) => void | Promise<void>;
}

/** A command whose module is imported on first use. */
export function lazyCommand<Args>(command: string, describe: string, load: () => Promise<CommandParts<Args>>): CommandModule<object, Args> {
  return {
    command,
    describe,
    builder: async (y) => {
      const { builder } = await load();
      return (builder ? await builder(y) : y) as Argv<Args>;
    },
    handler: async (argv) => (await load()).handler(argv),
  };
}
