// What machine a bench ran on, for the report.

import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGb: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the bench started: other work on the machine skews the numbers. */
  readonly load: number;
}

export function describeMachine(): Machine {
  let cpu = 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: leave it unknown
  }
  return {
    cpu,
    cores: availableParallelism(),
    ramGb: totalmem() / 2 ** 30,
    node: process.version,
    os: `${process.platform} ${release()}`,
    load: loadavg()[0]!,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.ramGb.toFixed(1)} GiB RAM, Node ${m.node}, ${m.os}; load average ${m.load.toFixed(2)} at start`;
}
