/**
 * HTTP/1.1 over a bare TCP socket, for tests that must control exactly which bytes the
 * client has sent when the server answers (a fetch client would send the whole body).
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  socket: Socket;
  /** The response, as soon as its headers and (Content-Length) body have arrived. */
  response: Promise<RawResponse>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

export function rawExchange(url: string, head: string): RawExchange {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {}); // writes after the server closed fail with EPIPE: expected here
  let received = Buffer.alloc(0);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = new Promise<RawResponse>((resolve, reject) => {
    const tryParse = () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      const body = received.subarray(end + 4);
      if (body.length < length) return;
      socket.off('data', onData);
      resolve({
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: body.subarray(0, length).toString(),
      });
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse();
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`connection closed before a response: ${received}`)));
  });
  response.catch(() => {});
  socket.write(head);
  return { socket, response, closed };
}

/** One chunk of a `Transfer-Encoding: chunked` body. */
export function chunk(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

export function requestHead(method: string, path: string, headers: Record<string, string>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
