// A source batch (connectors/api.ts RawBatch) on its way to the worker that decodes it: its byte
// arrays are copied into buffers of their own and transferred, not cloned (a batch's bytes are often
// a view into a larger read buffer, which cloning would copy whole), and a Buffer comes back a Buffer.

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

/** The batch as a message, and the buffers to transfer with it. */
export function packBatch(batch: RawBatch): { batch: unknown; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const out: Mutable = { ...(batch as unknown as Mutable) };
  const values = out.values as Mutable | readonly unknown[] | undefined;
  if (values && !Array.isArray(values) && typeof values === 'object') {
    const v: Mutable = { ...values };
    for (const k of Object.keys(v)) v[k] = own(v[k], transfer);
    out.values = v;
  }
  out.positions = own(out.positions, transfer);
  if (out.kinds) out.kinds = own(out.kinds, transfer);
  return { batch: out, transfer };
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
