// The data.pkl of a state dict, as Python's torch.save writes it (pickle protocol 2): a dict of name ->
// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict()), each
// storage a persistent id ('storage', torch.<Type>Storage, key, 'cpu', numel). Only the globals a
// weights-only load allows, so torch.load(weights_only=True) reads it.

export interface PickledTensor {
  name: string;
  storage: string;
  /** The storage's key in the archive (data/<key>). */
  key: string;
  numel: number;
  sizes: number[];
  strides: number[];
}

class Writer {
  private chunks: Buffer[] = [];
  op(...bytes: number[]): void {
    this.chunks.push(Buffer.from(bytes));
  }
  raw(text: string): void {
    this.chunks.push(Buffer.from(text, 'latin1'));
  }
  global(module: string, name: string): void {
    this.raw(`c${module}\n${name}\n`);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x58; // BINUNICODE
    head.writeUInt32LE(bytes.length, 1);
    this.chunks.push(head, bytes);
  }
  int(n: number): void {
    if (n >= 0 && n < 0x100) this.op(0x4b, n); // BININT1
    else if (n >= 0 && n < 0x10000) this.op(0x4d, n & 0xff, n >> 8); // BININT2
    else if (n >= -0x80000000 && n < 0x80000000) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a; // BININT
      b.writeInt32LE(n, 1);
      this.chunks.push(b);
    } else {
      const b = Buffer.alloc(10);
      b[0] = 0x8a; // LONG1, 8 bytes, two's complement little-endian
      b[1] = 8;
      b.writeBigInt64LE(BigInt(n), 2);
      this.chunks.push(b);
    }
  }
  tuple(items: number[]): void {
    if (items.length === 0) return this.op(0x29); // EMPTY_TUPLE
    if (items.length > 3) this.op(0x28); // MARK
    for (const v of items) this.int(v);
    this.op(items.length > 3 ? 0x74 : 0x84 + items.length); // TUPLE or TUPLE1..3
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function pickleStateDict(tensors: PickledTensor[]): Buffer {
  const w = new Writer();
  w.op(0x80, 2, 0x7d); // PROTO 2, EMPTY_DICT
  if (tensors.length) w.op(0x28); // MARK
  for (const t of tensors) {
    w.str(t.name);
    w.global('torch._utils', '_rebuild_tensor_v2');
    w.op(0x28, 0x28); // MARK (arguments), MARK (persistent id)
    w.str('storage');
    w.global('torch', t.storage);
    w.str(t.key);
    w.str('cpu');
    w.int(t.numel);
    w.op(0x74, 0x51); // TUPLE, BINPERSID
    w.int(0); // storage offset
    w.tuple(t.sizes);
    w.tuple(t.strides);
    w.op(0x89); // requires_grad False: a state dict's tensors are detached
    w.global('collections', 'OrderedDict');
    w.op(0x29, 0x52); // EMPTY_TUPLE, REDUCE: the (empty) backward hooks
    w.op(0x74, 0x52); // TUPLE, REDUCE
  }
  if (tensors.length) w.op(0x75); // SETITEMS
  w.op(0x2e); // STOP
  return w.bytes();
}
