import type { Io } from '../output';

export type OptionSpec = {
  type: 'boolean' | 'string';
  multiple?: boolean;
  short?: string;
  /** The only values a string option takes; anything else is a usage error before the command runs. */
  choices?: readonly string[];
};

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  /** Standard input, for secrets piped in and for `batch -`. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Command {
  name: string;
  summary: { zh: string; en: string };
  usage: string;
  options: Record<string, OptionSpec>;
  /** Sub-commands (`profile add`, `records list`…) dispatch on the first positional themselves. */
  run(ctx: CommandContext): Promise<number>;
}
