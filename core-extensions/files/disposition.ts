/**
 * File names: what we store (the client's name reduced to a safe base name) and how
 * we send it back (RFC 6266 Content-Disposition: an ASCII `filename` fallback for old
 * clients plus `filename*=UTF-8''` with the exact name percent-encoded per RFC 8187).
 */

const MAX_NAME = 255;

/** The base name of a client's file name, without control characters; never empty. */
export function safeFileName(clientName: string): string {
  const base = clientName.split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const name = cleaned === '.' || cleaned === '..' ? '' : cleaned;
  return [...name].slice(0, MAX_NAME).join('') || 'file';
}

/**
 * The file name as the client meant it. Browsers send a multipart filename as raw
 * UTF-8 bytes with `"` escaped as %22 (WHATWG form-data encoding), while the parser
 * reads parameter bytes as latin1: undo both.
 */
export function multipartFileName(parsed: string): string {
  let name = parsed;
  if ([...parsed].every((char) => char.charCodeAt(0) <= 0xff)) {
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(parsed, 'latin1'));
    } catch {
      // not UTF-8: keep what the parser read
    }
  }
  return name.replace(/%22/g, '"');
}

/** RFC 8187 value characters (attr-char); everything else is percent-encoded from UTF-8. */
function encodeExtValue(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9!#$&+.^_`|~-]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
