// What a command beyond run/validate/explain is (generate, tail, stop, demo, ...): each lives in a
// module of its own and is listed in extra.ts. Kept apart from that list so the commands import
// this type, not the list that imports them.

export interface ExtraCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}
