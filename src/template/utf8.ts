// Template bytes to text. A lenient decoder turns a Latin-1 "é" into U+FFFD, and writing the fixed
// text back would then destroy the byte for good: invalid UTF-8 is an error instead, with the
// byte offset (what a hex editor shows) and the line:col (what an editor shows).

/** Input that is not UTF-8: where the first byte that cannot be decoded is. */
export class Utf8Error extends Error {
  constructor(
    message: string,
    readonly byteOffset: number,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
    this.name = 'Utf8Error';
  }
}

// ignoreBOM keeps a byte order mark in the text: the parsers skip it and the writer puts it back.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of UTF-8 `bytes` (a BOM kept as U+FEFF); throws Utf8Error at the first bad byte. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch (error) {
    const offset = firstInvalidByte(bytes);
    throw offset < 0 ? error : utf8Error(bytes, offset);
  }
}

function utf8Error(bytes: Uint8Array, offset: number): Utf8Error {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  // Columns count characters, as every other position tapfix reports; the line up to the bad byte is valid.
  const col = strict.decode(bytes.subarray(lineStart, offset)).length + 1;
  const hex = `0x${bytes[offset]!.toString(16).padStart(2, '0')}`;
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  const hint = utf16 ? 'the file looks like UTF-16; save it as UTF-8' : 'save the file as UTF-8';
  return new Utf8Error(`invalid UTF-8: byte ${hex} at offset ${offset} is not part of a UTF-8 character (${hint})`, offset, line, col);
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // The allowed range of the second byte excludes overlong forms, surrogates and code points past U+10FFFF.
    let trailing: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) trailing = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      trailing = 2;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trailing = 3;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= trailing; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += trailing + 1;
  }
  return -1;
}
