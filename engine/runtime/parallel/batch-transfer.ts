// A source batch (connectors/api.ts RawBatch) on its way to the worker that decodes it: its byte
// arrays are copied into buffers of their own and transferred, not cloned (a batch's bytes are often
// a view into a larger read buffer, which cloning would copy whole), and a Buffer comes back a Buffer.
// Its plain arrays of numbers (positions, the records' starts and ends) go as blocks of one
// transferred Float64Array: cloned, an array of 4096 numbers costs an element-by-element copy on
// both sides, and a transferred buffer costs a hand-over of its own (see pack.ts), so one for all.
// A batch of bytes and numbers only (a file's lines) goes to every worker in one SharedArrayBuffer.

import type { RawBatch } from '../../../connectors/api.js';

type Mutable = Record<string, unknown>;

function own(view: unknown, transfer: ArrayBuffer[]): unknown {
  if (ArrayBuffer.isView(view) && !(view instanceof DataView)) {
    // A copy of just the view's bytes (Buffer#slice would be a view: the reader's buffer would go).
    const bytes = new Uint8Array(view.byteLength);
    bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    transfer.push(bytes.buffer);
    if (view instanceof Uint8Array) return bytes;
    const Typed = view.constructor as new (b: ArrayBuffer) => ArrayBufferView;
    return new Typed(bytes.buffer);
  }
  return view;
}

function isNumbers(a: unknown): a is number[] {
  if (!Array.isArray(a)) return false;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}

/** The plain number arrays among `arrays` as views of one Float64Array (transferred); the others as they are. */
function numberBlocks(arrays: readonly unknown[], transfer: ArrayBuffer[]): unknown[] {
  let total = 0;
  const numeric = arrays.map((a) => {
    const yes = isNumbers(a);
    if (yes) total += a.length;
    return yes;
  });
  if (total === 0) return [...arrays];
  const all = new Float64Array(total);
  transfer.push(all.buffer);
  let at = 0;
  return arrays.map((a, i) => {
    if (!numeric[i]) return a;
    const block = all.subarray(at, at + (a as number[]).length);
    block.set(a as number[]);
    at += block.length;
    return block;
  });
}

/** The batch as a message, and the buffers to transfer with it. */
export function packBatch(batch: RawBatch): { batch: unknown; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const out: Mutable = { ...(batch as unknown as Mutable) };
  out.positions = own(out.positions, transfer);
  const values = out.values as Mutable | readonly unknown[] | undefined;
  if (values && !Array.isArray(values) && typeof values === 'object') {
    const v: Mutable = { ...values };
    for (const k of Object.keys(v)) v[k] = own(v[k], transfer);
    [v.starts, v.ends, out.positions] = numberBlocks([v.starts, v.ends, out.positions], transfer);
    out.values = v;
  } else {
    [out.positions] = numberBlocks([out.positions], transfer);
  }
  if (out.kinds) out.kinds = own(out.kinds, transfer);
  return { batch: out, transfer };
}

/**
 * The batch as one message for every worker, or null when it is not only bytes and numbers (typed
 * rows, keys, metadata: packBatch per worker then). Its bytes and number arrays are copied once
 * into one SharedArrayBuffer that every worker reads: no copy and no buffer hand-over per worker.
 */
export function shareBatch(batch: RawBatch): unknown {
  const v = batch.values;
  if (!v || batch.rows || batch.keys || batch.metadata || batch.kinds || !(v.bytes instanceof Uint8Array))
    return null;
  const arrays = [v.starts, v.ends, batch.positions];
  if (!arrays.every((a) => isNumbers(a) || a instanceof Float64Array)) return null;
  const bytesLen = v.bytes.byteLength;
  const numAt = Math.ceil(bytesLen / 8) * 8;
  const sab = new SharedArrayBuffer(numAt + 8 * (v.starts.length + v.ends.length + batch.positions.length));
  new Uint8Array(sab, 0, bytesLen).set(v.bytes);
  let at = numAt;
  const [starts, ends, positions] = arrays.map((a) => {
    const block = new Float64Array(sab, at, a.length);
    block.set(a as ArrayLike<number>);
    at += 8 * a.length;
    return block;
  });
  return {
    ...batch,
    positions,
    values: { bytes: new Uint8Array(sab, 0, bytesLen), starts, ends },
  };
}

/** The batch as the decoder expects it (byte arrays as Buffers again). */
export function unpackBatch(message: unknown): RawBatch {
  const b = message as Mutable;
  const values = b.values as Mutable | undefined;
  if (
    values &&
    !Array.isArray(values) &&
    values.bytes instanceof Uint8Array &&
    !Buffer.isBuffer(values.bytes)
  ) {
    const u = values.bytes;
    values.bytes = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }
  return b as unknown as RawBatch;
}
