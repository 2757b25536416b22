/** A problem with the input file, with the offset it is about (relative to the whole text). */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** 'parse' — the file could not be read as a template; 'unsupported' — valid but not safely writable. */
    readonly kind: 'parse' | 'unsupported' = 'parse',
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A note about the input that does not stop loading (JSONC comments, trailing commas). */
export interface SourceNotice {
  code: 'jsonc-comment' | 'jsonc-trailing-comma';
  message: string;
  offset: number;
}
