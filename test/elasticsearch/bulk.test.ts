// Unit tests of the Elasticsearch sink's pure parts: bulk bodies, reading a bulk response item by
// item, document ids, index names and options. (The sink against a real node: sink.test.ts.)
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../engine/errors.js';
import { OptionBag } from '../../engine/options.js';
import { T, type Schema } from '../../engine/types.js';
import type { ConnectorContext } from '../../connectors/api.js';
import {
  bulkBody,
  bulkItemOutcomes,
  lastVersionPerId,
  mappingConflictField,
  type BulkDoc,
} from '../../connectors/elasticsearch/bulk.js';
import {
  compileIndexName,
  documentIdBuilder,
  localDateTimeText,
} from '../../connectors/elasticsearch/index-name.js';
import { parseMemorySize, readEsOptions } from '../../connectors/elasticsearch/options.js';

const schema: Schema = [
  { name: 'customer', type: T.string() },
  { name: 'amount', type: T.decimal(10, 2) },
  { name: 'window_end', type: T.timestamp(3) },
  { name: 'n', type: T.bigint() },
];
const ts = (iso: string): number => Date.parse(iso);

describe('bulk body and response items', () => {
  const docs: BulkDoc[] = [
    { index: 'alerts', id: 'a_1', source: '{"x":1}' },
    { index: 'alerts', id: 'b"2', source: '{"x":2}' },
    { index: 'alerts', id: undefined, source: '{"x":3}' },
  ];

  it('writes an index action line per document, with _id only for keyed documents', () => {
    expect(bulkBody(docs)).toBe(
      '{"index":{"_index":"alerts","_id":"a_1"}}\n{"x":1}\n' +
        '{"index":{"_index":"alerts","_id":"b\\"2"}}\n{"x":2}\n' +
        '{"index":{"_index":"alerts"}}\n{"x":3}\n',
    );
  });

  it('classifies each item: ok, retry (429 / 5xx), failed (mapping conflict)', () => {
    const response = {
      took: 3,
      errors: true,
      items: [
        { index: { _index: 'alerts', _id: 'a_1', status: 201, result: 'created' } },
        {
          index: {
            _index: 'alerts',
            _id: 'b"2',
            status: 429,
            error: {
              type: 'es_rejected_execution_exception',
              reason: 'rejected execution of coordinating operation',
            },
          },
        },
        {
          index: {
            _index: 'alerts',
            _id: 'xyz',
            status: 400,
            error: {
              type: 'mapper_parsing_exception',
              reason:
                "failed to parse field [x] of type [long] in document with id 'xyz'. Preview of field's value: 'abc'",
              caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "abc"' },
            },
          },
        },
      ],
    };
    const out = bulkItemOutcomes(response, docs);
    expect(out.map((o) => o.kind)).toEqual(['ok', 'retry', 'failed']);
    const failed = out[2]!;
    if (failed.kind !== 'failed') throw new Error('expected a failure');
    expect(failed.error.status).toBe(400);
    expect(failed.error.index).toBe('alerts');
    expect(failed.error.reason).toContain('For input string: "abc"');
    expect(mappingConflictField(failed.error)).toBe('x');
    const retry = out[1]!;
    if (retry.kind !== 'retry') throw new Error('expected a retry');
    expect(mappingConflictField(retry.error)).toBeUndefined();
  });

  it('finds the field of the other mapping errors, and rejects a response that does not fit', () => {
    const err = (type: string, reason: string) => ({ status: 400, type, reason, index: 'i', id: undefined });
    expect(
      mappingConflictField(
        err('illegal_argument_exception', 'mapper [total] cannot be changed from type [long] to [float]'),
      ),
    ).toBe('total');
    expect(
      mappingConflictField(
        err(
          'strict_dynamic_mapping_exception',
          'mapping set to strict, dynamic introduction of [extra] within [_doc] is not allowed',
        ),
      ),
    ).toBe('extra');
    expect(
      mappingConflictField(
        err(
          'document_parsing_exception',
          "[1:8] failed to parse field [n] of type [long] in document with id '1'",
        ),
      ),
    ).toBe('n');
    expect(
      mappingConflictField(err('version_conflict_engine_exception', '[1]: version conflict')),
    ).toBeUndefined();
    expect(() => bulkItemOutcomes({ items: [] }, docs)).toThrow(/expected 3 items, got 0/);
    expect(() => bulkItemOutcomes({ error: 'x' }, docs)).toThrow(/got none/);
  });

  it('a removal (-D of a keyed table) is a lone delete action line; deleting a document or index that is not there is no error', () => {
    const gone: BulkDoc[] = [
      { index: 'alerts', id: 'a_1', source: null },
      { index: 'alerts', id: 'b_2', source: null },
      { index: 'alerts', id: 'c_3', source: '{"x":3}' },
      { index: 'other', id: 'd_4', source: null },
    ];
    expect(bulkBody(gone)).toBe(
      '{"delete":{"_index":"alerts","_id":"a_1"}}\n{"delete":{"_index":"alerts","_id":"b_2"}}\n{"index":{"_index":"alerts","_id":"c_3"}}\n{"x":3}\n{"delete":{"_index":"other","_id":"d_4"}}\n',
    );
    const response = {
      errors: true,
      items: [
        { delete: { _index: 'alerts', _id: 'a_1', status: 200, result: 'deleted' } },
        { delete: { _index: 'alerts', _id: 'b_2', status: 404, result: 'not_found' } },
        // An index that answers 404 to an index action is an error (only a delete wants the document gone).
        {
          index: {
            _index: 'alerts',
            _id: 'c_3',
            status: 404,
            error: { type: 'index_not_found_exception', reason: 'no such index [alerts]' },
          },
        },
        {
          delete: {
            _index: 'other',
            _id: 'd_4',
            status: 404,
            error: { type: 'index_not_found_exception', reason: 'no such index [other]' },
          },
        },
      ],
    };
    expect(bulkItemOutcomes(response, gone).map((o) => o.kind)).toEqual(['ok', 'ok', 'failed', 'ok']);
    // A delete that the node is too busy for is sent again, like any document.
    expect(
      bulkItemOutcomes(
        {
          items: [
            {
              delete: {
                _index: 'alerts',
                _id: 'a_1',
                status: 429,
                error: { type: 'es_rejected_execution_exception', reason: 'busy' },
              },
            },
          ],
        },
        gone.slice(0, 1),
      )[0]!.kind,
    ).toBe('retry');
  });

  it('keeps only the last version of each _id in one bulk, and every append', () => {
    const v = (id: string | undefined, x: number): BulkDoc => ({ index: 'i', id, source: `{"x":${x}}` });
    expect(
      lastVersionPerId([v('a', 1), v('b', 2), v('a', 3), v('c', 4), v('b', 5)]).map((d) => d.source),
    ).toEqual(['{"x":3}', '{"x":4}', '{"x":5}']);
    expect(lastVersionPerId([{ ...v('a', 1), index: 'j' }, v('a', 2)])).toHaveLength(2); // same id, other index
    expect(lastVersionPerId([v(undefined, 1), v(undefined, 1)])).toHaveLength(2);
    // A delete after an upsert of the same document wins, and an upsert after a delete.
    const del = (id: string): BulkDoc => ({ index: 'i', id, source: null });
    expect(lastVersionPerId([v('a', 1), del('a'), del('b'), v('b', 2)])).toEqual([del('a'), v('b', 2)]);
  });
});

describe('document ids', () => {
  it('joins the key fields with the delimiter, timestamps as Java LocalDateTime text', () => {
    const id = documentIdBuilder(schema, [0, 2], '_')!;
    expect(id(['c-17', 1250n, ts('2017-07-23T10:00:00Z'), 3])).toBe('c-17_2017-07-23T10:00');
    expect(id(['c-17', 1250n, ts('2017-07-23T10:00:05Z'), 3])).toBe('c-17_2017-07-23T10:00:05');
    expect(id(['c-17', 1250n, ts('2017-07-23T10:00:05.250Z'), 3])).toBe('c-17_2017-07-23T10:00:05.250');
    expect(documentIdBuilder(schema, [3, 1, 0], '|')!(['c', -5n, 0, 42])).toBe('42|-0.05|c');
    expect(documentIdBuilder(schema, [0], '_')!(['only', 0n, 0, 0])).toBe('only');
    expect(documentIdBuilder(schema, undefined, '_')).toBeUndefined();
    expect(localDateTimeText(0)).toBe('1970-01-01T00:00');
  });
});

describe('index names', () => {
  const fail = (problem: string) => new Error(problem);

  it('formats dynamic parts per row; a static name is the same for every row', () => {
    const row = ['c', 0n, ts('2017-07-23T23:59:59.999Z'), 7];
    expect(compileIndexName('alerts-{window_end|yyyy-MM-dd}', schema, fail).nameFor(row)).toBe(
      'alerts-2017-07-23',
    );
    expect(compileIndexName('alerts-{window_end}', schema, fail).nameFor(row)).toBe(
      'alerts-2017_07_23_23_59_59',
    );
    expect(compileIndexName('by-{customer}-{n}', schema, fail).nameFor(row)).toBe('by-c-7');
    const fixed = compileIndexName('alerts', schema, fail);
    expect(fixed.dynamic).toBe(false);
    expect(fixed.nameFor(row)).toBe('alerts');
    expect(() =>
      compileIndexName('alerts-{window_end|yyyy-MM-dd}', schema, fail).nameFor(['c', 0n, null, 1]),
    ).toThrow(/NULL in 'window_end'/);
  });

  it('refuses what cannot work, at plan time', () => {
    expect(() => compileIndexName('Alerts', schema, fail)).toThrow(/upper-case/);
    expect(() => compileIndexName('alerts-{nope|yyyy}', schema, fail)).toThrow(
      /field 'nope', which is not a column/,
    );
    expect(() => compileIndexName('alerts-{n|yyyy}', schema, fail)).toThrow(
      /needs a TIMESTAMP field, but 'n' is BIGINT/,
    );
    expect(() => compileIndexName('alerts-{window_end', schema, fail)).toThrow(/unbalanced/);
    expect(() => compileIndexName('a b', schema, fail)).toThrow(/contains ' '/);
    expect(() => compileIndexName('_alerts', schema, fail)).toThrow(/must not start/);
  });
});

describe('options', () => {
  const ctx = (options: Record<string, string>): ConnectorContext => ({
    table: 'alerts',
    tablePos: { file: 'job.sql', line: 3, col: 14 },
    options: OptionBag.of(options, "table 'alerts'"),
    physical: schema,
    settings: new Map(),
    cwd: '/tmp',
  });

  it("reads Flink's options with Flink's defaults (backoff on)", () => {
    const o = readEsOptions(
      ctx({ hosts: 'http://a:9200; https://b:9201/', index: 'alerts' }),
      'elasticsearch-7',
    );
    expect(o.hosts).toEqual(['http://a:9200', 'https://b:9201']);
    expect(o.keyDelimiter).toBe('_');
    expect(o.maxActions).toBe(1000);
    expect(o.maxSizeBytes).toBe(2 * 1024 * 1024);
    expect(o.intervalMs).toBe(1000);
    expect(o.failureHandler).toBe('fail');
    expect(o.backoff.strategy).toBe('EXPONENTIAL');
    expect(o.authorization).toBeUndefined();
    const p = readEsOptions(
      ctx({
        hosts: 'http://a:9200',
        index: 'x',
        username: 'u',
        password: 'p',
        'document-id.key-delimiter': '$',
        'sink.bulk-flush.max-actions': '5',
        'sink.bulk-flush.max-size': '512kb',
        'sink.bulk-flush.interval': '0',
        'sink.bulk-flush.backoff.strategy': 'constant',
        'sink.bulk-flush.backoff.max-retries': '3',
        'sink.bulk-flush.backoff.delay': '2s',
        'failure-handler': 'ignore',
      }),
      'elasticsearch',
    );
    expect(p.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect([p.keyDelimiter, p.maxActions, p.maxSizeBytes, p.intervalMs, p.failureHandler]).toEqual([
      '$',
      5,
      512 * 1024,
      0,
      'ignore',
    ]);
    expect(p.backoff).toEqual({ strategy: 'CONSTANT', maxRetries: 3, delayMs: 2000 });
  });

  it('says what is wrong with a bad option', () => {
    const err = (o: Record<string, string>): string => {
      try {
        readEsOptions(ctx(o), 'elasticsearch-7');
      } catch (e) {
        expect(e).toBeInstanceOf(OptionError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err({ index: 'x' })).toMatch(
      /^job\.sql:3:14: elasticsearch-7 table 'alerts' needs option 'hosts'/,
    );
    expect(err({ hosts: 'localhost:9200', index: 'x' })).toMatch(/'localhost:9200' is not an http\(s\) URL/);
    expect(err({ hosts: 'http://a:9200' })).toMatch(/needs option 'index'/);
    expect(err({ hosts: 'http://a:9200', index: 'x', username: 'u' })).toMatch(
      /'username' and 'password' go together/,
    );
    expect(err({ hosts: 'http://a:9200', index: 'x', 'sink.bulk-flush.max-size': '2 parsecs' })).toMatch(
      /not a memory size/,
    );
    expect(err({ hosts: 'http://a:9200', index: 'x', 'failure-handler': 'retry' })).toMatch(
      /'retry' is not one of 'fail', 'ignore', 'retry-rejected'/,
    );
    expect(err({ hosts: 'http://a:9200', index: 'x', format: 'csv' })).toMatch(/documents are JSON/);
    expect(parseMemorySize('2mb')).toBe(2097152);
    expect(parseMemorySize('100')).toBe(100);
    expect(parseMemorySize('-1kb')).toBeNull();
  });
});
