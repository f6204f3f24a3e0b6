// Whose fault a failure is. A UserError is the caller's mistake (an option, an input file, a model
// name, a request) and says which field is wrong, with the file and line where the input is a
// file; the edge handler answers it 422 and shows its message. Every other error is internal (our
// bug, or the machine's), and the edge answers it 500 with its name. Subclasses name the kind of
// input (OptionsError, ConfigError, GraphError, ...); their messages stay as they were.

export interface UserErrorPlace {
  /** The option, field or key at fault ('cores', 'target.rows', 'layer.channels'). */
  readonly field?: string;
  /** The input file, as the caller named it. */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
}

export class UserError extends Error {
  override name = 'UserError';
  readonly field?: string;
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, place: UserErrorPlace = {}, options?: ErrorOptions) {
    super(message, options);
    if (place.field !== undefined) this.field = place.field;
    if (place.file !== undefined) this.file = place.file;
    if (place.line !== undefined) this.line = place.line;
  }
}

/** The place a parser's message begins with ('net.cfg:16: …'): the file and line, when it names a line. */
export function placeInMessage(message: string): UserErrorPlace {
  const match = /^(.+?):(\d+): /.exec(message);
  return match ? { file: match[1]!, line: Number(match[2]) } : {};
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
