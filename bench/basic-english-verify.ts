/**
 * Verifies basicEnglishTokenize (and the id path) against torchtext's own
 * _basic_english_normalize on every review of an IMDb archive.
 *
 *   bench/pipeline.sh verify [--archive PATH] [--python /usr/bin/python3]
 *
 * Python prints one sha256 per review (test/text/basic-english-reference.py);
 * this compares it with the same digest of our tokens, and prints the first
 * differing reviews with both token lists.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readArchiveFiles } from '../lib/data/archive';
import { basicEnglishIds, basicEnglishIdsFromBytes, basicEnglishTokenize } from '../lib/text/basic-english';
import { TokenInterner } from '../lib/text/interner';
import { firstLineEnd } from '../lib/text/utf8';

const REPO = path.resolve(__dirname, '..');
const ENTRY = /^(?:\.\/)?(?:[^/]+\/)?(train|test)\/(neg|pos)\/(\d+)_(\d+)\.txt$/;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const archive = path.resolve(arg('--archive') ?? process.env.IMDB_ARCHIVE ?? path.join(REPO, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz'));
  const python = arg('--python') ?? '/usr/bin/python3';
  if (!fs.existsSync(archive)) throw new Error(`archive not found: ${archive} (pass --archive PATH or set IMDB_ARCHIVE)`);
  const script = path.join(REPO, 'test', 'text', 'basic-english-reference.py');
  const r = spawnSync(python, [script, archive], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${python} ${script} failed: ${r.error?.message ?? r.stderr}`);
  const want = new Map(r.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));

  // Three paths per review: the string tokenizer, string -> ids, and bytes -> ids (what
  // Field.preprocessBytes and IMDB.splits use), the last on the first line's bytes as read.
  const texts = new Map<string, string>();
  const bytesTokens = new Map<string, string>();
  const byteInterner = new TokenInterner();
  await readArchiveFiles(archive, (p) => ENTRY.test(p), (p, buf) => {
    const m = ENTRY.exec(p) as RegExpExecArray;
    const key = `${m[1]}/${m[2]}/${m[3]}`;
    texts.set(key, buf.toString('utf8').split(/[\r\n]/)[0]);
    const ids = basicEnglishIdsFromBytes(buf, byteInterner, 0, firstLineEnd(buf));
    bytesTokens.set(key, Array.from(ids, (id) => byteInterner.keys[id]).join('\u001f'));
  });
  const interner = new TokenInterner();
  let same = 0;
  const bad: string[] = [];
  for (const [key, text] of texts) {
    const tokens = basicEnglishTokenize(text);
    const joined = tokens.join('\u001f');
    const viaIds = Array.from(basicEnglishIds(text, interner), (id) => interner.keys[id]);
    const digest = createHash('sha256').update(joined, 'utf8').digest('hex');
    if (digest === want.get(key) && viaIds.join('\u001f') === joined && bytesTokens.get(key) === joined) same++;
    else bad.push(key);
  }
  console.log(`basic_english (string, string -> ids, bytes -> ids): ${same} of ${texts.size} reviews identical to torchtext (python: ${want.size} reviews)`);
  for (const key of bad.slice(0, 5)) {
    const text = texts.get(key) as string;
    const ref = spawnSync(python, [script], { input: JSON.stringify([text]), encoding: 'utf8' });
    console.log(`\n${key}\n  node:   ${JSON.stringify(basicEnglishTokenize(text))}\n  bytes:  ${JSON.stringify(bytesTokens.get(key)?.split('\u001f'))}\n  python: ${ref.stdout}`);
  }
  if (bad.length > 0 || same !== want.size) process.exit(1);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
