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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loaders = new WeakMap<object, () => Promise<CommandParts<any>>>();

/** The module of a command made by `lazyCommand`, for the shell's path around yargs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loaderOf(command: object): (() => Promise<CommandParts<any>>) | undefined {
  return loaders.get(command);
}

/** A command whose module is imported on first use. */
export function lazyCommand<Args>(command: string, describe: string, load: () => Promise<CommandParts<Args>>): CommandModule<object, Args> {
  const module: CommandModule<object, Args> = {
    command,
    describe,
    builder: async (y) => {
      const { builder } = await load();
      return (builder ? await builder(y) : y) as Argv<Args>;
    },
    handler: async (argv) => (await load()).handler(argv),
  };
  loaders.set(module, load);
  return module;
}
