// Module: PyTorch's nn.Module for TypeScript. Submodules and parameters assigned to fields are found by
// field name, so state_dict keys match PyTorch's (`embedding.weight`, `rnn.weight_ih_l0`, `fc.bias`).
import { DeviceLike, deviceName } from '../device';
import { TorchError } from '../errors';
import { native } from '../native';
import { sealDisposed } from '../lifecycle';
import { keep } from '../scope';
import { Tensor, noGrad } from '../tensor';
import { checkBoolean, checkObject, checkKeys, invalid } from '../validate';

const parameterSet = new WeakSet<Tensor>();

/** Marks a tensor as a trainable parameter (requires grad, survives tidy scopes). */
export function parameter(t: Tensor, requiresGrad = true): Tensor {
  if (requiresGrad) t.requiresGrad_(true);
  parameterSet.add(t);
  return keep(t);
}

export function isParameter(value: unknown): value is Tensor {
  return value instanceof Tensor && parameterSet.has(value);
}

export type StateDict = Record<string, Tensor>;

export abstract class Module {
  /** True in training mode (dropout active), false after eval(). */
  training = true;
  private _disposed = false;

  /** Own parameters, in field order. */
  protected ownParameters(): Array<[string, Tensor]> {
    return Object.entries(this).filter((e): e is [string, Tensor] => isParameter(e[1]));
  }

  /** Direct submodules, in field order. */
  namedChildren(): Array<[string, Module]> {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Every parameter with its dotted name, in PyTorch's order (own first, then each child's). */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    this.checkAlive();
    const out: Array<[string, Tensor]> = this.ownParameters().map(([n, p]) => [prefix + n, p]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The parameters by name. The tensors are the module's own (not copies): do not dispose them. */
  stateDict(): StateDict {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies tensors into the parameters of the same names. With strict (the default), missing and
   * unexpected keys are errors; a shape mismatch always is, naming the key and both shapes.
   */
  loadStateDict(stateDict: StateDict, options: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const o = checkObject('options', options);
    checkKeys('loadStateDict', o, ['strict']);
    const strict = o.strict === undefined ? true : checkBoolean('strict', o.strict);
    if (stateDict === null || typeof stateDict !== 'object' || stateDict instanceof Map) throw invalid('stateDict', 'an object of name: Tensor', stateDict);
    const own = new Map(this.namedParameters());
    const missingKeys = [...own.keys()].filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !own.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing key(s): ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected key(s): ${unexpectedKeys.join(', ')}`);
      throw new TorchError(`Error(s) in loading state_dict for ${this.constructor.name}: ${parts.join('; ')}`);
    }
    for (const [name, param] of own) {
      const src = stateDict[name];
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) throw invalid(`stateDict['${name}']`, 'a Tensor', src);
      const a = param.shape;
      const b = src.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        throw new TorchError(`size mismatch for ${name}: copying a param with shape [${b.join(', ')}] from checkpoint, the shape in current model is [${a.join(', ')}]`);
      }
    }
    noGrad(() => {
      for (const [name, param] of own) if (stateDict[name] !== undefined) param.copy_(stateDict[name]);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Training mode on (or off) for this module and every submodule; returns this. */
  train(mode = true): this {
    checkBoolean('mode', mode);
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Moves every parameter to a device in place (parameter identity is kept, as in PyTorch). */
  to(device: DeviceLike): this {
    const name = deviceName('device', device);
    for (const [, p] of this.ownParameters()) {
      if (p.device === name || (name === 'cuda' && p.device.startsWith('cuda'))) continue;
      const moved = p.to(name);
      p.setData(moved);
      moved.dispose();
    }
    // Children move themselves, so modules with device-specific layouts (RNNs on cuDNN) can adjust.
    for (const [, child] of this.namedChildren()) child.to(name);
    return this;
  }

  /**
   * Clears every parameter's gradient: zeroed in place (PyTorch 1.13's default, reusing the buffers),
   * or dropped with `{setToNone: true}` (PyTorch 2's default).
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = checkObject('options', options).setToNone;
    native.zeroGrad(this.parameters().map((p) => p.handle), setToNone === undefined ? false : checkBoolean('setToNone', setToNone));
  }

  /**
   * Frees every parameter of this module and its submodules. The module is unusable afterwards: every
   * method throws a TorchError saying it has been disposed (dispose() again does nothing).
   */
  dispose(): void {
    if (this._disposed) return;
    for (const [, p] of this.ownParameters()) p.dispose();
    // Each child disposes itself (a child disposed earlier is simply skipped), then is sealed too.
    for (const [, child] of this.namedChildren()) child.dispose();
    this._disposed = true;
    sealDisposed(this, this.constructor.name);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  protected checkAlive(): void {
    if (this._disposed) throw new TorchError(`${this.constructor.name} has been disposed`);
  }

  /** A PyTorch-like printout of the module tree. */
  toString(): string {
    if (this._disposed) return `${this.constructor.name}(disposed)`;
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!children.length) return head + ')';
    const body = children.map(([n, c]) => `  (${n}): ${c.toString().split('\n').join('\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }

  protected extraRepr(): string {
    return '';
  }
}

/** Number of trainable parameters (elements of parameters that require grad). */
export function countParameters(model: Module): number {
  if (!(model instanceof Module)) throw invalid('model', 'a Module', model);
  return model.parameters().reduce((n, p) => n + (p.requiresGrad ? p.numel : 0), 0);
}

/** A list of modules, named '0', '1', ... as in PyTorch's nn.ModuleList. */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];
  constructor(modules: M[] = []) {
    super();
    for (const m of modules) this.append(m);
  }
  append(m: M): this {
    if (!(m instanceof Module)) throw invalid('module', 'a Module', m);
    (this as unknown as Record<string, Module>)[String(this.items.length)] = m;
    this.items.push(m);
    return this;
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    return this.items[i];
  }
  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
  override namedChildren(): Array<[string, Module]> {
    return this.items.map((m, i) => [String(i), m]);
  }
}
