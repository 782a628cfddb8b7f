import { describe, expect, it } from 'vitest';
import { checkSetting } from '../../engine/plan/settings.js';

const set = (key: string, value: string) => () =>
  checkSetting({ kind: 'set', key, value, pos: { file: 'j.sql', line: 3, col: 1 } });

describe('SET keys (engine/plan/settings.ts)', () => {
  it('accepts the keys fintrans-sql honours, harmless Flink keys and unknown keys far from any known one', () => {
    for (const [k, v] of [
      ['execution.checkpointing.interval', '5s'],
      ['execution.savepoint.path', '/tmp/sp'],
      ['fintrans.late-records.sink', 'late'],
      ['pipeline.name', 'aml'],
      ['table.exec.mini-batch.enabled', 'true'],
      ['my.company.owner', 'fraud-team'],
    ])
      expect(set(k!, v!)).not.toThrow();
  });

  it('accepts refused keys at the values that mean what fintrans-sql does anyway', () => {
    for (const [k, v] of [
      ['table.exec.state.ttl', '0 ms'],
      ['parallelism.default', '1'],
      ['table.local-time-zone', 'UTC'],
      ['execution.runtime-mode', 'streaming'],
      ['table.exec.emit.early-fire.enabled', 'false'],
    ])
      expect(set(k!, v!)).not.toThrow();
  });

  it('refuses keys whose effect is missing, at the SET', () => {
    expect(set('table.local-time-zone', 'Europe/Berlin')).toThrow(
      "j.sql:3:1: SET 'table.local-time-zone' = 'Europe/Berlin': fintrans-sql computes times in UTC only",
    );
    expect(set('execution.runtime-mode', 'batch')).toThrow('jobs run in streaming mode only');
    expect(set('table.exec.emit.early-fire.enabled', 'true')).toThrow(
      'early firing of windows is not supported',
    );
  });

  it("refuses any unknown key in fintrans-sql's own namespace", () => {
    expect(set('fintrans.late-records.table', 'late')).toThrow(
      "unknown setting 'fintrans.late-records.table'\n  hint: did you mean 'fintrans.late-records.sink'?",
    );
    expect(set('fintrans.turbo', 'on')).toThrow(
      "unknown setting 'fintrans.turbo'\n  hint: fintrans-sql's own settings are: fintrans.late-records.sink",
    );
  });

  it('refuses a near miss of a known key with a did-you-mean', () => {
    expect(set('table.exec.source.idle-timout', '10 s')).toThrow(
      "unknown setting 'table.exec.source.idle-timout'\n  hint: did you mean 'table.exec.source.idle-timeout'?",
    );
  });
});
