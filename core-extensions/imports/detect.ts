/**
 * What a CSV or JSON file is, from its first bytes: the encoding (a BOM, else UTF-8
 * when the bytes decode as UTF-8, else latin1, which decodes anything) and, for CSV,
 * the delimiter: the candidate found the same non-zero number of times, outside
 * quotes, on the most of the first lines.
 */

export type ImportFormat = 'csv' | 'json';
export type ImportEncoding = 'utf-8' | 'utf-16le' | 'latin1';

/** How many leading bytes the detection reads. */
export const DETECT_BYTES = 64 * 1024;

const DELIMITERS = [',', ';', '\t', '|'] as const;

export function detectEncoding(head: Uint8Array, complete: boolean): ImportEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  // A multi-byte character cut by the end of the sample is not a decoding error.
  let bytes = head;
  if (!complete) {
    let cut = bytes.length;
    while (cut > 0 && bytes.length - cut < 3 && (bytes[cut - 1]! & 0xc0) === 0x80) cut--;
    if (cut > 0 && (bytes[cut - 1]! & 0xc0) === 0xc0) bytes = bytes.subarray(0, cut - 1);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'latin1';
  }
}

/** Node's name for an encoding (what csv-parse and Buffer take). */
export function nodeEncoding(encoding: ImportEncoding): BufferEncoding {
  return encoding === 'utf-8' ? 'utf8' : encoding === 'utf-16le' ? 'utf16le' : 'latin1';
}

export function decodeSample(head: Uint8Array, encoding: ImportEncoding): string {
  return Buffer.from(head)
    .toString(nodeEncoding(encoding))
    .replace(/^\uFEFF/, '');
}

/** Counts of `delimiter` outside double quotes on each of the first complete lines. */
function countsPerLine(text: string, delimiter: string, maxLines: number): number[] {
  const counts: number[] = [];
  let quoted = false;
  let count = 0;
  for (let index = 0; index < text.length && counts.length < maxLines; index++) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === delimiter) count++;
    else if (!quoted && char === '\n') {
      counts.push(count);
      count = 0;
    }
  }
  return counts;
}

export function detectDelimiter(sample: string): string {
  let best: { delimiter: string; score: number; count: number } = { delimiter: ',', score: 0, count: 0 };
  for (const delimiter of DELIMITERS) {
    const counts = countsPerLine(sample, delimiter, 50).filter((count, index) => index === 0 || count > 0);
    if (counts.length === 0 || counts[0] === 0) continue;
    const header = counts[0]!;
    const score = counts.filter((count) => count === header).length;
    if (score > best.score || (score === best.score && header > best.count))
      best = { delimiter, score, count: header };
  }
  return best.delimiter;
}

/** JSON when the file name says so or the first non-blank character opens an array or object. */
export function detectFormat(filename: string, sample: string): ImportFormat {
  if (/\.(json|ndjson|jsonl)$/i.test(filename)) return 'json';
  if (/\.(csv|tsv|txt)$/i.test(filename)) return 'csv';
  return /^\s*[[{]/.test(sample) ? 'json' : 'csv';
}
