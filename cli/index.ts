// `mapwise <command>`: the yargs shell over the library. Commands live in cli/commands.
// The Node entry point registers how the wasm core is read from disk.
import '../src/node/index.js';
import yargs from 'yargs';
import { commands } from './commands/index.js';
import { VERSION } from '../src/version.js';

export async function main(args: string[]): Promise<void> {
  const parser = yargs(args)
    .scriptName('mapwise')
    .usage('$0 <command> [options]\n\nMaps deep neural networks onto hardware.')
    .option('json', { type: 'boolean', describe: 'Print exactly one JSON object on stdout (messages go to stderr)', global: true })
    .version(VERSION)
    .strict()
    .demandCommand(1, 'Name a command; see `mapwise --help`.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\nRun \`mapwise --help\` for usage.\n`);
      process.exit(2);
    });
  for (const command of commands) parser.command(command);
  try {
    await parser.parseAsync();
  } catch (error) {
    process.stderr.write(`mapwise: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
