import { parseSqlFile } from '../../engine/sql/parse.js';
import { readFileSync } from 'node:fs';
const f = process.argv[2]!;
try { console.log(JSON.stringify(parseSqlFile(readFileSync(f, 'utf8'), f), (k, v) => k === "select" || k === "expr" ? "<ast>" : (v && typeof v === "object" && "file" in v && "line" in v) ? `${v.line}:${v.col}` : v, 1)); } catch (e) { console.log(String((e as Error).message)); }
