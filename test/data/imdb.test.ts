// IMDB.splits from archives and folders the test builds, and the download +
// cache flow against a local HTTP server (the cached archive is streamed, never extracted).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ArchiveError, DataError, Field, IMDB, LabelField } from '../../lib/data';
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
    await expect(IMDB.splits(...fields(), { path: dir })).rejects.toMatchObject({ name: 'DataError', code: 'LAYOUT' });
    await expect(IMDB.splits(...fields(), { path: path.join(dir, 'nope') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('IMDB.splits download and cache', () => {
  let server: http.Server;
  let base = '';
  const hits: string[] = [];
  const good = makeTarGz(imdbEntries(tinyImdb()));
  const files = tinyImdb();
  delete files['train/neg/3_1.txt'];
  delete files['train/neg/20_2.txt'];
  const badLayout = makeTarGz(imdbEntries(files));
  const evil = makeTarGz([...imdbEntries(tinyImdb()), { name: '../escaped.txt', data: 'gotcha' }]);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const body = req.url === '/aclImdb_v1.tar.gz' ? good : req.url === '/bad.tar.gz' ? badLayout : req.url === '/evil.tar.gz' ? evil : undefined;
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

  test('first run downloads into TORCH_SENTIMENT_HOME; the second run streams the cached archive', async () => {
    const home = tempDir();
    const saved = process.env.TORCH_SENTIMENT_HOME;
    process.env.TORCH_SENTIMENT_HOME = home;
    try {
      const opts = { url: `${base}/aclImdb_v1.tar.gz`, sha256: sha(good), size: good.length, progress: false };
      const [train] = await IMDB.splits(...fields(), opts);
      expect(train.examples).toEqual(EXPECTED_TRAIN);
      expect(hits.filter((h) => h === '/aclImdb_v1.tar.gz')).toHaveLength(1);
      expect(fs.readdirSync(home).sort()).toEqual(['aclImdb_v1.tar.gz', 'aclImdb_v1.tar.gz.sha256']); // the archive and its verified sha256
      const [again] = await IMDB.splits(...fields(), opts);
      expect(again.examples).toEqual(EXPECTED_TRAIN);
      expect(hits.filter((h) => h === '/aclImdb_v1.tar.gz')).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.TORCH_SENTIMENT_HOME;
      else process.env.TORCH_SENTIMENT_HOME = saved;
    }
  });

  test('a downloaded archive with the wrong layout is refused with a DataError; nothing but the archive is written', async () => {
    const root = tempDir();
    const splits = IMDB.splits(...fields(), { root, url: `${base}/bad.tar.gz`, progress: false });
    await expect(splits).rejects.toThrow(/does not have the aclImdb layout: no reviews in train\/neg\//);
    await expect(splits).rejects.toMatchObject({ name: 'DataError', code: 'LAYOUT' });
    expect(fs.readdirSync(root)).toEqual(['bad.tar.gz']);
  });

  test('a downloaded archive with an entry escaping the folder is refused; nothing is written outside', async () => {
    const parent = tempDir();
    const root = path.join(parent, 'cache');
    await expect(IMDB.splits(...fields(), { root, url: `${base}/evil.tar.gz`, progress: false }))
      .rejects.toThrow(/"\.\.\/escaped\.txt" refused: path contains '\.\.'/);
    expect(fs.readdirSync(parent)).toEqual(['cache']);
    expect(fs.readdirSync(root)).toEqual(['evil.tar.gz']);
  });

  test('HTTP errors surface with the status; nothing is left in the cache', async () => {
    const root = tempDir();
    await expect(IMDB.splits(...fields(), { root, url: `${base}/missing.tar.gz`, progress: false }))
      .rejects.toThrow(/HTTP 404/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('download: false refuses to fetch', async () => {
    const root = tempDir();
    const splits = IMDB.splits(...fields(), { root, download: false });
    await expect(splits).rejects.toThrow(/options\.download is false/);
    await expect(splits).rejects.toBeInstanceOf(DataError);
    await expect(splits).rejects.toMatchObject({ code: 'NOT_CACHED' });
  });
});
