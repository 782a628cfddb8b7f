// The debezium-json format (issue 20): change events become +I/-U/+U/-D rows; broken events are
// refused with what is wrong, never turned into a wrong row.
import { describe, expect, it } from 'vitest';
import type { RecordDecoder } from '../../engine/formats/api.js';
import { SKIP_RECORD, getFormat } from '../../engine/formats/registry.js';
import { OptionBag } from '../../engine/options.js';
import { DELETE, INSERT, T, UPDATE_AFTER, type Row } from '../../engine/types.js';

const debezium = getFormat('debezium-json')!;
const COLUMNS = [
  { name: 'id', type: T.bigint(), rowIndex: 0 },
  { name: 'tier', type: T.string(), rowIndex: 1 },
];

function decoder(options: Record<string, string> = {}): RecordDecoder {
  const bag = OptionBag.of(options, "table 't'");
  const d = debezium.createDecoder(COLUMNS, bag);
  bag.finish();
  return d;
}

/** Decodes through the bytes path, as a source hands records over. */
function decode(d: RecordDecoder, text: string): { row: Row; kind: number; before: Row | null } | string {
  const bytes = Buffer.from(text);
  const row: Row = [];
  const reason = d.decode(bytes, 0, bytes.length, row);
  if (reason !== null) return reason;
  return { row, kind: d.change!.kind, before: d.change!.before };
}

describe('debezium-json', () => {
  it('is a changelog format', () => {
    expect(debezium.changelog).toBe(true);
    expect(debezium.fileExtension).toBe('json');
  });

  it('reads snapshot reads and creates as +I, updates as -U/+U, deletes as -D of the old row', () => {
    const d = decoder();
    expect(decode(d, '{"before":null,"after":{"id":1,"tier":"low"},"op":"r"}')).toEqual({
      row: [1, 'low'],
      kind: INSERT,
      before: null,
    });
    expect(decode(d, '{"before":null,"after":{"id":2,"tier":"high"},"op":"c"}')).toMatchObject({
      row: [2, 'high'],
      kind: INSERT,
    });
    expect(
      decode(d, '{"before":{"id":1,"tier":"low"},"after":{"id":1,"tier":"high"},"op":"u","ts_ms":1}'),
    ).toEqual({ row: [1, 'high'], kind: UPDATE_AFTER, before: [1, 'low'] });
    expect(decode(d, '{"before":{"id":2,"tier":"high"},"after":null,"op":"d"}')).toEqual({
      row: [2, 'high'],
      kind: DELETE,
      before: null,
    });
  });

  it('skips tombstones and reads BIGINTs beyond 2^53 exactly inside before/after', () => {
    const d = decoder();
    const row: Row = [];
    expect(d.decode(Buffer.alloc(0), 0, 0, row)).toBe(SKIP_RECORD);
    expect(decode(d, '{"before":null,"after":{"id":1234567890123456789,"tier":"x"},"op":"c"}')).toMatchObject(
      {
        row: [1234567890123456789n, 'x'],
      },
    );
  });

  it("unwraps {schema, payload} with 'debezium-json.schema-include', and says so when it is missing", () => {
    const event =
      '{"schema":{"type":"struct"},"payload":{"before":null,"after":{"id":5,"tier":"m"},"op":"c"}}';
    expect(decode(decoder({ 'debezium-json.schema-include': 'true' }), event)).toMatchObject({
      row: [5, 'm'],
      kind: INSERT,
    });
    expect(decode(decoder(), event)).toBe(
      `the event holds a "schema" and a "payload": set 'debezium-json.schema-include' = 'true'`,
    );
  });

  it('refuses events it cannot apply, with the reason', () => {
    const d = decoder();
    expect(decode(d, '{"before":null,"after":{"id":1,"tier":"a"},"op":"x"}')).toBe(
      'unknown "op" value "x" (a Debezium event\'s op is "c", "r", "u" or "d")',
    );
    expect(decode(d, '{"before":null,"after":{"id":1,"tier":"a"},"op":"u"}')).toMatch(
      /^the "before" field of an UPDATE event is null: .*REPLICA IDENTITY to FULL$/,
    );
    expect(decode(d, '{"before":null,"after":null,"op":"d"}')).toMatch(
      /^the "before" field of a DELETE event/,
    );
    expect(decode(d, '{"before":null,"after":{"id":"abc","tier":"a"},"op":"c"}')).toBe(
      `"after": field 'id': 'abc' is not a BIGINT`,
    );
    expect(decode(d, '{"op":')).toMatch(/^not valid JSON/);
  });

  it('writes +I/+U as create events and -U/-D as delete events, as Flink does', () => {
    const bag = OptionBag.of({}, "table 't'");
    const e = debezium.createEncoder(
      COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      bag,
    );
    expect(e.encodeValue([1, 'low'], INSERT).toString()).toBe(
      '{"before":null,"after":{"id":1,"tier":"low"},"op":"c"}',
    );
    expect(e.encodeValue([1, 'low'], DELETE).toString()).toBe(
      '{"before":{"id":1,"tier":"low"},"after":null,"op":"d"}',
    );
  });
});
