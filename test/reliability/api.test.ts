// load()/save() at their edges, without Python: unreadable paths, options, names, round trips of every
// dtype in both formats, and a file type chosen by content when the extension says otherwise.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointError, DTYPES, Tensor, liveTensors, load, save, tensor, tidy } from '../../lib';
import { outOfBounds } from './child';
import { tempDir } from './harness';

let dir: string;
beforeAll(() => (dir = tempDir('ckpt-api')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function values(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
}

test('paths that are not regular files are refused at once, naming the file', () => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const [file, message] of [[fifo, /fifo: not a regular file/], ['/dev/zero', /not a regular file/], [dir, /not a regular file/], [path.join(dir, 'none.pt'), /none.pt: cannot read the checkpoint: no such file/]] as const) {
    expect(() => load(file)).toThrow(expect.objectContaining({ name: 'CheckpointError', code: 'ERR_CHECKPOINT_READ', message: expect.stringMatching(message) }));
  }
});

test('options and arguments are checked', () => {
  expect(() => load(path.join(dir, 'x.pt'), { bogus: 1 } as never)).toThrow(/Unknown option 'bogus' for options/);
  expect(() => load(path.join(dir, 'x.pt'), { tensorsOnly: 'no' } as never)).toThrow(/Expected a boolean for options.tensorsOnly but received string "no"/);
  expect(() => load(path.join(dir, 'x.pt'), { format: 'onnx' } as never)).toThrow(/Expected 'pytorch' or 'safetensors' for options.format/);
  const t = tensor([1]);
  expect(() => save({ a: 1 } as never, path.join(dir, 'x.pt'))).toThrow(/Expected a Tensor for stateDict\['a'\] but received number 1/);
  expect(() => save({ __metadata__: t }, path.join(dir, 'x.safetensors'))).toThrow(/names other than '__metadata__'/);
  t.dispose();
  expect(() => save({ t }, path.join(dir, 'x.pt'))).toThrow(/disposed/);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no temporary file left behind
});

test('every dtype round-trips through both formats, and the content decides when the extension does not', () => {
  const live = liveTensors();
  const sd: Record<string, Tensor> = tidy(() => {
    const out: Record<string, Tensor> = {};
    for (const d of DTYPES) out[d] = d === 'bool' ? tensor([true, false, true, true]).reshape([2, 2]) : tensor([0, 1, 2, 3]).mul(d.includes('float') ? -0.5 : 2).to(d).reshape([2, 2]);
    return out;
  });
  for (const [file, format] of [['a.pt', undefined], ['a.safetensors', undefined], ['st-as.bin', 'safetensors'], ['pt-as.safetensors', 'pytorch']] as const) {
    save(sd, path.join(dir, file), format ? { format } : {});
    const back = format === 'pytorch' ? load(path.join(dir, file), { format }) : load(path.join(dir, file));
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    for (const d of DTYPES) expect([file, d, back[d].dtype, back[d].shape, values(back[d])]).toEqual([file, d, d, [2, 2], values(sd[d])]);
    for (const t of Object.values(back)) t.dispose();
  }
  // A safetensors file under another name is read by its content; a torch.save file named .safetensors is
  // refused as safetensors unless the format is given.
  const byContent = load(path.join(dir, 'st-as.bin'));
  expect(Object.keys(byContent)).toEqual(Object.keys(sd));
  expect(() => load(path.join(dir, 'pt-as.safetensors'))).toThrow(CheckpointError);
  for (const t of [...Object.values(sd), ...Object.values(byContent)]) t.dispose();
  expect(liveTensors()).toBe(live);
});

test("the reliability runs' out-of-bounds check notices elements that are not in the file", () => {
  const file = Buffer.from(new Float32Array([0, 1.5, 2.5]).buffer);
  const inFile = tensor([2.5, 1.5]);
  const foreign = tensor([1.5, 7.25]);
  expect(outOfBounds(file, new Set([inFile]))).toBe(0);
  expect(outOfBounds(file, new Set([inFile, foreign]))).toBe(1);
  inFile.dispose();
  foreign.dispose();
});

test('files written by the earlier libtorch pickler (torch::pickle_save) still load', () => {
  // test/fixtures/checkpoints/pickle-save-0.1.0-dev.pt: saved by torch-sentiment before the weights-only
  // writer; its pickle wraps the dict in torch.jit._pickle.restore_type_tag, which PyTorch also reads.
  const before = liveTensors();
  const sd = load(path.join(__dirname, '..', 'fixtures', 'checkpoints', 'pickle-save-0.1.0-dev.pt'));
  expect(Object.keys(sd).sort()).toEqual(['fc.bias', 'fc.weight']);
  expect(sd['fc.weight'].shape).toEqual([1, 3]);
  expect(values(sd['fc.weight'])).toEqual([0.5, -1.25, 2]);
  expect(values(sd['fc.bias'])).toEqual([0.25]);
  for (const t of Object.values(sd)) t.dispose();
  expect(liveTensors()).toBe(before);
});
