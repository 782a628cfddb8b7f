// What machine a bench ran on, for the report.

import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGb: number;
  readonly node: string;
  readonly os: string;
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
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.ramGb.toFixed(1)} GiB RAM, Node ${m.node}, ${m.os}`;
}
