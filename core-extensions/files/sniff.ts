/**
 * The content type of an upload, from its first bytes (magic numbers), never from
 * what the client claims: a client that labels an HTML page `image/png` must not get
 * it served back as a page. The table covers common types; anything binary it does
 * not know is `application/octet-stream`. Text (valid UTF-8 without NUL bytes) is
 * refined by the file name's extension only among harmless text types; markup that a
 * browser would run (HTML, SVG, XML) is detected from the bytes, so the download can
 * force it to be an attachment.
 */

/** How many leading bytes `sniffContentType` looks at. */
export const SNIFF_BYTES = 4096;

interface Magic {
  type: string;
  offset?: number;
  bytes: (number | null)[]; // null: any byte
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

const MAGIC: Magic[] = [
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: ascii('GIF87a') },
  { type: 'image/gif', bytes: ascii('GIF89a') },
  { type: 'image/webp', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBP')] },
  { type: 'audio/wav', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WAVE')] },
  { type: 'image/bmp', bytes: ascii('BM') },
  { type: 'image/x-icon', bytes: [0x00, 0x00, 0x01, 0x00] },
  { type: 'image/tiff', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { type: 'image/tiff', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { type: 'application/pdf', bytes: ascii('%PDF-') },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { type: 'application/gzip', bytes: [0x1f, 0x8b] },
  { type: 'application/x-7z-compressed', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: 'application/vnd.rar', bytes: ascii('Rar!') },
  { type: 'application/wasm', bytes: [0x00, 0x61, 0x73, 0x6d] },
  { type: 'video/mp4', offset: 4, bytes: ascii('ftyp') },
  { type: 'video/webm', bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: 'audio/mpeg', bytes: ascii('ID3') },
  { type: 'audio/ogg', bytes: ascii('OggS') },
  { type: 'audio/flac', bytes: ascii('fLaC') },
  { type: 'font/woff', bytes: ascii('wOFF') },
  { type: 'font/woff2', bytes: ascii('wOF2') },
  { type: 'application/x-sqlite3', bytes: ascii('SQLite format 3\0') },
];

/** Zip containers whose extension names what is inside (OOXML, OpenDocument, EPUB). */
const ZIP_BY_EXTENSION: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  epub: 'application/epub+zip',
};

/** Harmless text types a file name may select once the bytes are known to be text. */
const TEXT_BY_EXTENSION: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  md: 'text/markdown',
  markdown: 'text/markdown',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  jsonl: 'application/x-ndjson',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  txt: 'text/plain',
  log: 'text/plain',
};

function matches(head: Uint8Array, magic: Magic): boolean {
  const offset = magic.offset ?? 0;
  if (head.length < offset + magic.bytes.length) return false;
  return magic.bytes.every((byte, index) => byte === null || head[offset + index] === byte);
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** UTF-8 without NUL bytes; a multi-byte sequence cut by the end of `head` is fine. */
function looksLikeText(head: Uint8Array, complete: boolean): boolean {
  if (head.includes(0)) return false;
  let bytes = head;
  if (!complete) {
    // Drop a possibly truncated trailing sequence (at most 3 bytes).
    let cut = bytes.length;
    for (let back = 1; back <= 3 && back <= bytes.length; back++) {
      const byte = bytes[bytes.length - back]!;
      if ((byte & 0xc0) === 0xc0) {
        cut = bytes.length - back;
        break;
      }
      if ((byte & 0x80) === 0) break;
    }
    bytes = bytes.subarray(0, cut);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The media type of a file whose first bytes are `head` (at most SNIFF_BYTES of them;
 * `complete` when that is the whole file).
 */
export function sniffContentType(head: Uint8Array, filename: string, complete = false): string {
  const extension = extensionOf(filename);
  const magic = MAGIC.find((candidate) => matches(head, candidate));
  if (magic) {
    if (magic.type === 'application/zip') return ZIP_BY_EXTENSION[extension] ?? magic.type;
    return magic.type;
  }
  if (head.length === 0) return TEXT_BY_EXTENSION[extension] ?? 'application/octet-stream';
  const withoutBom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
  if (!looksLikeText(withoutBom, complete)) return 'application/octet-stream';
  const start = new TextDecoder().decode(withoutBom.subarray(0, 512)).trimStart().toLowerCase();
  if (start.startsWith('<svg') || (start.startsWith('<?xml') && start.includes('<svg')))
    return 'image/svg+xml';
  if (
    start.startsWith('<!doctype html') ||
    start.startsWith('<html') ||
    start.startsWith('<head') ||
    start.startsWith('<script')
  )
    return 'text/html';
  if (start.startsWith('<?xml')) return 'application/xml';
  return TEXT_BY_EXTENSION[extension] ?? 'text/plain';
}

/** Types a browser would render as an active document: always served as attachments, sandboxed. */
export function isActiveContent(contentType: string): boolean {
  return /^(text\/html|image\/svg\+xml|application\/xml|text\/xml|application\/xhtml\+xml)/.test(contentType);
}

/** The type to send in Content-Type: text types get their charset. */
export function servedContentType(contentType: string): string {
  return contentType.startsWith('text/') || contentType === 'application/json'
    ? `${contentType}; charset=utf-8`
    : contentType;
}
