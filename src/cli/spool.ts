// The items of a large JSON array (--report's files, SARIF's results), kept as text in a file of
// the system's temporary folder while a run goes on, and read back once at the end. A run over
// thousands of templates then holds none of its findings, operations or fixes in memory.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export class TextSpool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tapfix-spool-'));
  private readonly path = join(this.dir, 'items');
  private fd: number | undefined = openSync(this.path, 'w');
  private items = 0;
  private readonly cleanup = () => this.dispose();

  /** `separator` goes between items (e.g. `,\n    `). */
  constructor(private readonly separator: string) {
    process.once('exit', this.cleanup);
  }

  get count(): number {
    return this.items;
  }

  add(text: string): void {
    if (this.fd === undefined) throw new Error('spool already read');
    writeSync(this.fd, (this.items++ ? this.separator : '') + text);
  }

  /** Hands the items, separated, to `out` in chunks, then removes the spool. */
  drain(out: (chunk: string) => void): void {
    try {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      const decoder = new StringDecoder('utf8');
      const chunk = Buffer.alloc(1 << 20);
      const input = openSync(this.path, 'r');
      try {
        for (let n = readSync(input, chunk); n > 0; n = readSync(input, chunk)) out(decoder.write(chunk.subarray(0, n)));
        const rest = decoder.end();
        if (rest) out(rest);
      } finally {
        closeSync(input);
      }
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    process.removeListener('exit', this.cleanup);
  }
}

/**
 * The items of a JSON array that sits `depth` levels deep in a document written with
 * `JSON.stringify(document, null, 2)`, spooled as they come; `write` prints the document with
 * them in place of its last key's empty array, exactly as JSON.stringify would have.
 */
export class SpooledJsonArray {
  private readonly spool: TextSpool;

  constructor(private readonly depth: number) {
    this.spool = new TextSpool(',\n' + '  '.repeat(depth));
  }

  get count(): number {
    return this.spool.count;
  }

  add(value: unknown): void {
    this.spool.add(JSON.stringify(value, null, 2).replace(/\n/g, '\n' + '  '.repeat(this.depth)));
  }

  /** `document`'s last key must hold the empty array these items replace. Removes the spool. */
  write(document: unknown, out: (chunk: string) => void): void {
    const text = JSON.stringify(document, null, 2);
    if (this.spool.count === 0) {
      this.spool.dispose();
      out(text + '\n');
      return;
    }
    const at = text.lastIndexOf('[]');
    out(`${text.slice(0, at)}[\n${'  '.repeat(this.depth)}`);
    this.spool.drain(out);
    out(`\n${'  '.repeat(this.depth - 1)}]${text.slice(at + 2)}\n`);
  }

  dispose(): void {
    this.spool.dispose();
  }
}
