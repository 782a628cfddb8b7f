// Cuts what the user typed into statements at each `;` that is outside a string, a quoted name or
// a comment. Written by hand rather than with the engine's tokenizer because the input is most
// often unfinished (a string or comment still open on the next line) and must not be an error.

export interface CutStatement {
  /** The statement's text without the `;` (leading blank lines and comments kept, for positions). */
  readonly text: string;
  /** 0-based line of the whole input where `text` starts. */
  readonly line: number;
}

/** Complete statements in `input`, and what follows the last `;` (still being typed). */
export function cutStatements(input: string): { statements: CutStatement[]; rest: string; restLine: number } {
  const statements: CutStatement[] = [];
  let start = 0;
  let startLine = 0;
  let line = 0;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      // A quote ends at the next one not doubled ('' and `` escape themselves).
      let j = i + 1;
      for (;;) {
        if (j >= n) return { statements, rest: input.slice(start), restLine: startLine };
        if (input[j] === '\n') line++;
        if (input[j] === c) {
          if (input[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
    } else if (c === '-' && input[i + 1] === '-') {
      while (i < n && input[i] !== '\n') i++;
    } else if (c === '/' && input[i + 1] === '*') {
      const end = input.indexOf('*/', i + 2);
      if (end < 0) return { statements, rest: input.slice(start), restLine: startLine };
      for (let k = i; k < end; k++) if (input[k] === '\n') line++;
      i = end + 2;
    } else if (c === ';') {
      statements.push({ text: input.slice(start, i), line: startLine });
      i++;
      start = i;
      startLine = line;
    } else i++;
  }
  return { statements, rest: input.slice(start), restLine: startLine };
}

/** Whether `text` holds nothing but blanks and comments (an empty statement: `;;`, a comment line). */
export function isBlank(text: string): boolean {
  return stripComments(text).trim() === '';
}

/** `text` without `--` and `/* *\/` comments (strings left alone), for matching shell commands. */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && !(text[j] === c && text[j + 1] !== c)) j += text[j] === c ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
