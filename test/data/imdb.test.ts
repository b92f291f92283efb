// IMDB.splits from archives and folders the test builds, and the download +
// extract + cache flow against a local HTTP server.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ArchiveError, Field, IMDB, LabelField, extractArchive } from '../../lib/data';
import { imdbEntries, makeTarGz, tempDir, tinyImdb, writeTree } from './helpers/fixtures';

const fields = () => [new Field({ tokenize: 'spacy' }), new LabelField({ dtype: 'float32' })] as const;

const EXPECTED_TRAIN = [
  { label: 'neg', text: ['I', 'do', "n't", 'like', 'it', '.'] },
  { label: 'neg', text: ['Bad', ',', 'bad', ',', 'bad', '.'] },
  { label: 'pos', text: ["It", "'s", 'great', ',', 'is', "n't", 'it?<br', '/><br', '/>Yes', '.'] },
  { label: 'pos', text: ['Loved', 'it', '.', 'A', 'must', '-', 'see', '!'] },
  { label: 'pos', text: ['Good', 'film'] },
];

describe('IMDB.splits from a local archive', () => {
  const dir = tempDir();
  const archive = path.join(dir, 'labelled.tar.gz');
  fs.writeFileSync(archive, makeTarGz(imdbEntries(tinyImdb())));

  test('reads train/test, ignores unsup, orders by folder then numeric id, keeps the first line', async () => {
    const [TEXT, LABEL] = fields();
    const [train, test] = await IMDB.splits(TEXT, LABEL, { archive });
    expect(train.examples).toEqual(EXPECTED_TRAIN);
    expect(test.examples.map((e) => e.label)).toEqual(['neg', 'neg', 'pos']);
    expect(test.examples[1].text).toEqual(['Meh', '...']);
    expect(train.sortKey?.(train.examples[0])).toBe(6);
    expect(train.fields).toEqual({ text: TEXT, label: LABEL });
  });

  test('an archive without the layout is refused by name', async () => {
    const files = tinyImdb();
    delete files['test/neg/0_3.txt'];
    delete files['test/neg/2_4.txt'];
    const bad = path.join(dir, 'no-test-neg.tar.gz');
    fs.writeFileSync(bad, makeTarGz(imdbEntries(files)));
    await expect(IMDB.splits(...fields(), { archive: bad })).rejects.toThrow(/does not have the aclImdb layout: no reviews in test\/neg\//);
  });

  test('truncated and corrupt archives give clear errors', async () => {
    const whole = fs.readFileSync(archive);
    const truncated = path.join(dir, 'truncated.tar.gz');
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(IMDB.splits(...fields(), { archive: truncated })).rejects.toThrow(/truncated or corrupt/);
    const corrupt = path.join(dir, 'corrupt.tar.gz');
    const bytes = Buffer.from(whole);
    for (let i = 20; i < bytes.length - 8; i += 7) bytes[i] ^= 0x5a;
    fs.writeFileSync(corrupt, bytes);
    await expect(IMDB.splits(...fields(), { archive: corrupt })).rejects.toThrow(ArchiveError);
    await expect(IMDB.splits(...fields(), { archive: path.join(dir, 'nope.tar.gz') })).rejects.toThrow(/does not exist/);
  });
});

describe('IMDB.splits from an extracted folder', () => {
  test('the aclImdb folder or its parent give the same examples as the archive', async () => {
    const dir = tempDir();
    writeTree(path.join(dir, 'aclImdb'), tinyImdb());
    for (const p of [dir, path.join(dir, 'aclImdb')]) {
      const [train, test] = await IMDB.splits(...fields(), { path: p });
      expect(train.examples).toEqual(EXPECTED_TRAIN);
      expect(test.length).toBe(3);
    }
  });

  test('a folder without train/ and test/ is refused', async () => {
    const dir = tempDir();
    writeTree(dir, { 'other/file.txt': 'x' });
    await expect(IMDB.splits(...fields(), { path: dir })).rejects.toThrow(/does not have the aclImdb layout/);
  });
});

describe('extractArchive', () => {
  test('refuses entries escaping the target and leaves nothing behind', async () => {
    const dir = tempDir();
    const evil = path.join(dir, 'evil.tar.gz');
    fs.writeFileSync(evil, makeTarGz([{ name: 'ok.txt', data: 'fine' }, { name: '../escaped.txt', data: 'gotcha' }]));
    const dest = path.join(dir, 'out', 'target');
    await expect(extractArchive(evil, dest)).rejects.toThrow(/"\.\.\/escaped\.txt" refused: path contains '\.\.'/);
    expect(fs.existsSync(path.join(dir, 'out', 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual([]);
  });

  test('refuses absolute paths and links', async () => {
    const dir = tempDir();
    const abs = path.join(dir, 'abs.tar.gz');
    fs.writeFileSync(abs, makeTarGz([{ name: '/tmp/absolute.txt', data: 'x' }]));
    await expect(extractArchive(abs, path.join(dir, 'a'))).rejects.toThrow(/absolute path/);
    const link = path.join(dir, 'link.tar.gz');
    fs.writeFileSync(link, makeTarGz([{ name: 'l', type: '2', linkname: '/etc/passwd' }]));
    await expect(extractArchive(link, path.join(dir, 'b'))).rejects.toThrow(/SymbolicLink entries are not extracted/);
  });

  test('extracts a good archive atomically', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.tar.gz');
    fs.writeFileSync(good, makeTarGz(imdbEntries(tinyImdb())));
    const dest = path.join(dir, 'x');
    await extractArchive(good, dest, { filter: (p) => !p.includes('/unsup/') });
    expect(fs.readFileSync(path.join(dest, 'aclImdb', 'train', 'pos', '10_9.txt'), 'utf8')).toBe('Loved it. A must-see!');
    expect(fs.existsSync(path.join(dest, 'aclImdb', 'train', 'unsup'))).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['good.tar.gz', 'x']);
  });
});

describe('IMDB.splits download, extract and cache', () => {
  let server: http.Server;
  let base = '';
  const hits: string[] = [];
  const good = makeTarGz(imdbEntries(tinyImdb()));
  const files = tinyImdb();
  delete files['train/neg/3_1.txt'];
  delete files['train/neg/20_2.txt'];
  const badLayout = makeTarGz(imdbEntries(files));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const body = req.url === '/aclImdb_v1.tar.gz' ? good : req.url === '/bad.tar.gz' ? badLayout : undefined;
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('first run downloads and extracts into TORCH_SENTIMENT_HOME; the second run reads the cache', async () => {
    const home = tempDir();
    const saved = process.env.TORCH_SENTIMENT_HOME;
    process.env.TORCH_SENTIMENT_HOME = home;
    try {
      const opts = { url: `${base}/aclImdb_v1.tar.gz`, sha256: sha(good), size: good.length, progress: false };
      const [train] = await IMDB.splits(...fields(), opts);
      expect(train.examples).toEqual(EXPECTED_TRAIN);
      expect(hits.filter((h) => h === '/aclImdb_v1.tar.gz')).toHaveLength(1);
      expect(fs.readdirSync(home).sort()).toEqual(['aclImdb', 'aclImdb_v1.tar.gz']);
      expect(fs.existsSync(path.join(home, 'aclImdb', 'train', 'unsup'))).toBe(false);
      const [again] = await IMDB.splits(...fields(), opts);
      expect(again.examples).toEqual(EXPECTED_TRAIN);
      expect(hits.filter((h) => h === '/aclImdb_v1.tar.gz')).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.TORCH_SENTIMENT_HOME;
      else process.env.TORCH_SENTIMENT_HOME = saved;
    }
  });

  test('a downloaded archive with the wrong layout leaves no extracted folder', async () => {
    const root = tempDir();
    await expect(IMDB.splits(...fields(), { root, url: `${base}/bad.tar.gz`, progress: false }))
      .rejects.toThrow(/does not have the aclImdb layout: no reviews in train\/neg\//);
    expect(fs.readdirSync(root)).toEqual(['bad.tar.gz']);
  });

  test('HTTP errors surface with the status; nothing is left in the cache', async () => {
    const root = tempDir();
    await expect(IMDB.splits(...fields(), { root, url: `${base}/missing.tar.gz`, progress: false }))
      .rejects.toThrow(/HTTP 404/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('download: false refuses to fetch', async () => {
    const root = tempDir();
    await expect(IMDB.splits(...fields(), { root, download: false })).rejects.toThrow(/options\.download is false/);
  });
});
