// The SQL shell's tricky pieces (issue 21): cutting typed input into statements (a ';' inside a
// string, a quoted name or a comment is not an end; an open string or comment waits for the next
// line), and the live table (retractions applied, redrawn in place over its last drawing).

import { describe, expect, it } from 'vitest';
import { cutStatements, isBlank } from '../../app/shell/split.js';
import { LiveView, Materialized, TableauView, type Screen } from '../../app/shell/result.js';
import { T } from '../../engine/types.js';

describe('cutStatements', () => {
  it('cuts at top-level semicolons only, with each statement line', () => {
    const input = "SELECT ';' AS a; -- a ; in a comment\nSELECT `x;y` /* ; */ FROM t;\nSELECT 'it''s;'";
    const { statements, rest, restLine } = cutStatements(input);
    expect(statements.map((s) => s.text)).toEqual([
      "SELECT ';' AS a",
      ' -- a ; in a comment\nSELECT `x;y` /* ; */ FROM t',
    ]);
    expect(statements.map((s) => s.line)).toEqual([0, 0]);
    expect(rest).toBe("\nSELECT 'it''s;'");
    expect(restLine).toBe(1);
  });

  it('waits while a string or a block comment is open', () => {
    expect(cutStatements("SELECT 'a;\nb").statements).toEqual([]);
    expect(cutStatements('SELECT 1 /* ;\n').statements).toEqual([]);
    const done = cutStatements("SELECT 'a;\nb';\nSHOW TABLES;");
    expect(done.statements.map((s) => [s.text.trim(), s.line])).toEqual([
      ["SELECT 'a;\nb'", 0],
      ['SHOW TABLES', 1],
    ]);
  });

  it('blank statements: spaces and comments only', () => {
    expect(isBlank('  -- nothing\n /* here */ ')).toBe(true);
    expect(isBlank("'--'")).toBe(false);
  });
});

function fakeScreen(rows = 20): Screen & { text: string } {
  const s = {
    text: '',
    isTTY: true,
    write(t: string) {
      s.text += t;
    },
    size: () => ({ rows, columns: 80 }),
  };
  return s;
}

/** What a terminal shows after the writes: cursor-up and clear-below applied, line by line. */
function render(text: string): string[] {
  const lines: string[] = [];
  let row = 0;
  for (const part of text.split(/(\x1b\[\d*A|\x1b\[J|\r|\n)/)) {
    if (part === '\n') row++;
    else if (part === '\r' || part === '') continue;
    else if (part === '\x1b[J') lines.length = row;
    else if (/^\x1b\[\d*A$/.test(part)) row -= Number(part.slice(2, -1));
    else lines[row] = part;
  }
  return lines.filter((l) => l !== undefined);
}

describe('LiveView', () => {
  it('applies retractions to the latest equal row and redraws in place', async () => {
    const screen = fakeScreen();
    const view = new LiveView(['name', 'total'], 'table', screen, 0);
    view.apply([
      { kind: 0, cells: ['a', '1'] },
      { kind: 0, cells: ['b', '2'] },
      { kind: 1, cells: ['a', '1'] },
      { kind: 2, cells: ['a', '4'] },
    ]);
    await new Promise((r) => setTimeout(r, 10));
    view.apply([{ kind: 3, cells: ['b', '2'] }]);
    view.end('stopped');
    expect(render(screen.text)).toEqual([
      '+------+-------+',
      '| name | total |',
      '+------+-------+',
      '|    a |     4 |',
      '+------+-------+',
      expect.stringMatching(/^1 row, 5 changes received, [\d.]+ s — stopped$/),
    ]);
  });

  it('shows the latest rows that fit the terminal, and says so', () => {
    const screen = fakeScreen(10);
    const view = new LiveView(['n'], 'changelog', screen, 0);
    view.apply(Array.from({ length: 7 }, (_, i) => ({ kind: 0 as const, cells: [String(i)] })));
    view.end('finished');
    const shown = render(screen.text);
    expect(shown.slice(3, 6)).toEqual(['| +I | 4 |', '| +I | 5 |', '| +I | 6 |']);
    expect(shown.at(-1)).toMatch(
      /^7 changes received \(the last 3 shown\), [\d.]+ s — finished: the input is complete$/,
    );
  });
});

describe('Materialized', () => {
  it('matches a plain list under random adds and retractions (latest equal row taken back)', () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const m = new Materialized();
    const model: string[][] = [];
    for (let step = 0; step < 20_000; step++) {
      const cells = [String(rand(30)), String(rand(3))];
      if (rand(3) > 0 || model.length === 0) {
        m.add(cells);
        model.push(cells);
      } else {
        m.remove(cells);
        const key = cells.join(',');
        for (let i = model.length - 1; i >= 0; i--)
          if (model[i]!.join(',') === key) {
            model.splice(i, 1);
            break;
          }
      }
      if (step % 997 === 0) expect(m.last(1e9)).toEqual(model);
    }
    expect(m.size).toBe(model.length);
    expect(m.last(5)).toEqual(model.slice(-5));
  });
});

describe('TableauView', () => {
  it('prints each change as it comes, widths from the types, and the total', () => {
    const screen = fakeScreen();
    const view = new TableauView(['name', 'total'], [T.string(), T.int()], screen);
    view.apply([{ kind: 0, cells: ['a', '1'] }]);
    view.apply([{ kind: 1, cells: ['a', '1'] }]);
    view.end('finished');
    expect(screen.text).toBe(
      [
        '+----+----------------------+-------------+',
        '| op |                 name |       total |',
        '+----+----------------------+-------------+',
        '| +I |                    a |           1 |',
        '| -U |                    a |           1 |',
        '+----+----------------------+-------------+',
        'Received a total of 2 rows',
        '',
      ].join('\n'),
    );
  });
});
