// Builders for the data tests: tar archives (including malformed ones that the
// tar package would refuse to create) and small aclImdb trees.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export interface TarEntry {
  name: string;
  data?: string | Buffer;
  /** '0' file (default), '5' directory, '2' symlink, 'L' GNU long name, 'x' pax header, 'g' global pax header */
  type?: '0' | '2' | '5' | '7' | 'L' | 'x' | 'g';
  linkname?: string;
  /** ustar prefix (bytes 345..500), joined to the name with '/' by readers */
  prefix?: string;
}

/** A pax extended header's body: `<length> key=value\n` records. */
export function paxRecords(records: Record<string, string>): string {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len++;
    out += `${len}${body}`;
  }
  return out;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive, byte by byte. */
export function makeTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write(octal(e.type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    const hasData = !['2', '5'].includes(e.type ?? '0');
    h.write(octal(hasData ? data.length : 0, 12), 124, 'ascii');
    h.write(octal(1306886400, 12), 136, 'ascii');
    h.write('        ', 148, 'ascii');
    h.write(e.type ?? '0', 156, 'ascii');
    if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    if (e.prefix) h.write(e.prefix, 345, 155, 'utf8');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + ' ', 148, 'ascii');
    blocks.push(h);
    if (data.length > 0) {
      blocks.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function makeTarGz(entries: TarEntry[]): Buffer {
  return zlib.gzipSync(makeTar(entries));
}

export function tempDir(prefix = 'ts-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Reviews of a tiny aclImdb: `split/label/id_rating.txt` -> text. */
export function tinyImdb(): Record<string, string> {
  return {
    'train/pos/10_9.txt': 'Loved it. A must-see!',
    'train/pos/9_8.txt': "It's great, isn't it?<br /><br />Yes.",
    'train/pos/100_7.txt': 'Good film',
    'train/neg/3_1.txt': "I don't like it.",
    'train/neg/20_2.txt': 'Bad, bad, bad.\nSecond line is ignored',
    'test/pos/1_10.txt': 'Superb acting',
    'test/neg/0_3.txt': 'Boring plot',
    'test/neg/2_4.txt': 'Meh...',
    'train/unsup/0_0.txt': 'unlabelled, must be ignored',
  };
}

export function imdbEntries(files: Record<string, string>, top = 'aclImdb'): TarEntry[] {
  const entries: TarEntry[] = [{ name: `${top}/`, type: '5' }, { name: `${top}/README`, data: 'readme' }];
  for (const [p, text] of Object.entries(files)) entries.push({ name: `${top}/${p}`, data: text });
  return entries;
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    const full = path.join(root, p);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
}
