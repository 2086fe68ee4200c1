/**
 * Matrix Market reading and writing: sparse `coordinate` matrices (real,
 * integer or pattern; general, symmetric or skew-symmetric) into a
 * {@linkcode CsrMatrix} with a map from every file entry to the stored
 * entries it feeds, dense `array` matrices and right-hand-side vectors, and
 * writers whose numbers round-trip exactly.
 *
 * Reading rules (each violation is a {@linkcode MatrixMarketError} with the
 * 1-based line):
 * - line 1 is the banner `%%MatrixMarket matrix <format> <field> <symmetry>`
 *   (case-insensitive); `complex` and `hermitian` are refused;
 * - after it, lines starting with `%` and blank lines are skipped anywhere;
 * - fields are separated by spaces or tabs; CRLF line ends are accepted;
 * - explicit zeros are kept as stored entries and duplicates are summed;
 * - values must be finite (NaN, infinities and overflow such as `1e999` are
 *   refused);
 * - a symmetric or skew-symmetric file normally stores the lower triangle
 *   (`i ≥ j`). An entry above the diagonal is accepted and mirrored, but a
 *   file that stores both `(i, j)` and `(j, i)` is refused, because the
 *   reader cannot tell whether they should be summed or are one entry twice;
 * - a skew-symmetric file must not store diagonal entries;
 * - the size line is checked before anything is allocated for it. A row or
 *   column count above 2³¹ − 2 is refused (indices and row pointers are
 *   Int32), and so is a declared entry count above 2³¹ − 1. A coordinate
 *   file may declare up to 67,108,864 rows or columns whatever its entry
 *   count (256 MiB of row pointers at most); beyond that it must declare at
 *   least one entry per 8 rows or columns, since a CSR matrix (and its
 *   transpose, for the adjoint) needs 4 bytes per row whether or not the row
 *   holds anything. The same bound applies to the values of a dense result
 *   built from a coordinate file ({@linkcode parseMatrixMarketDense},
 *   {@linkcode parseMatrixMarketVector}). A declared entry count larger than
 *   the entries present is found when the text ends ("too few entries"):
 *   entry arrays are sized from what the text can hold, never from the
 *   declaration alone;
 * - files and streams are read in chunks ({@linkcode readMatrixMarket},
 *   {@linkcode readMatrixMarketStream}), never as one string, so any file
 *   whose matrix fits in memory can be read; a comment line longer than
 *   1 MiB is skipped without being held, and a banner line that long is
 *   refused.
 *
 * @module
 */

import { GradsolveError, MatrixMarketError, NonFiniteError, ShapeError } from "../errors.ts";
import { patternFromTriplets } from "./coo.ts";
import { CsrMatrix } from "./csr.ts";
import { MAX_DIMENSION } from "./pattern.ts";

/**
 * Value type declared in a Matrix Market banner (complex is not supported).
 *
 * @category Sparse
 */
export type MatrixMarketField = "real" | "integer" | "pattern";

/**
 * Symmetry declared in a Matrix Market banner (hermitian is not supported).
 *
 * @category Sparse
 */
export type MatrixMarketSymmetry = "general" | "symmetric" | "skew-symmetric";

/**
 * For file entry `e`, the stored CSR entries it feeds are
 * `targets[offsets[e] .. offsets[e+1]-1]`, each with the sign
 * `signs[...]`: one target (+1) for a general or diagonal entry, two for a
 * symmetric off-diagonal entry (+1, +1) and for a skew-symmetric one
 * (`(i, j)` with +1, `(j, i)` with −1).
 *
 * @category Sparse
 */
export interface MatrixMarketEntryMap {
  /** Start of each file entry's targets; length `entries + 1`. */
  readonly offsets: Int32Array;
  /** Stored-entry index (into `matrix.values`) of each target. */
  readonly targets: Int32Array;
  /** +1 or −1 for each target. */
  readonly signs: Float64Array;
}

/**
 * A parsed `coordinate` Matrix Market file.
 *
 * @category Sparse
 */
export interface MatrixMarketMatrix {
  /** The matrix, with symmetric files expanded to both triangles. */
  readonly matrix: CsrMatrix;
  /** Field from the banner; pattern entries were given the value 1. */
  readonly field: MatrixMarketField;
  /** Symmetry from the banner. */
  readonly symmetry: MatrixMarketSymmetry;
  /** Number of entries written in the file (the size line's third number). */
  readonly entries: number;
  /** 0-based row of each file entry, in file order. */
  readonly fileRows: Int32Array;
  /** 0-based column of each file entry, in file order. */
  readonly fileCols: Int32Array;
  /** Which stored entries each file entry feeds, and with which sign. */
  readonly entryMap: MatrixMarketEntryMap;
}

/**
 * A dense matrix read from a Matrix Market file.
 *
 * @category Sparse
 */
export interface MatrixMarketDense {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** `rows·cols` values in column-major order: `data[i + j·rows]`. */
  readonly data: Float64Array;
}

/**
 * Options of {@linkcode formatMatrixMarket}.
 *
 * @category Sparse
 */
export interface FormatMatrixMarketOptions {
  /**
   * `"symmetric"` writes the lower triangle and refuses a matrix that is
   * not exactly symmetric; `"skew-symmetric"` writes the strict lower
   * triangle (stored diagonal zeros are dropped) and refuses a matrix that
   * is not exactly skew-symmetric.
   *
   * @default {"general"}
   */
  symmetry?: MatrixMarketSymmetry;
  /**
   * `"integer"` refuses non-integer values; `"pattern"` writes coordinates
   * only.
   *
   * @default {"real"}
   */
  field?: MatrixMarketField;
  /**
   * Text written after the banner, each of its lines prefixed with `%`.
   *
   * @default {undefined}
   */
  comment?: string;
}

/**
 * Options of {@linkcode formatMatrixMarketVector}.
 *
 * @category Sparse
 */
export interface FormatMatrixMarketVectorOptions {
  /**
   * Text written after the banner, each of its lines prefixed with `%`.
   *
   * @default {undefined}
   */
  comment?: string;
}

/**
 * Parses a `coordinate` Matrix Market file into a CSR matrix plus the map
 * from file entries to stored entries. `source` names the text in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatrixMarket } from "@gradsolve/gradsolve";
 * const text = "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 4\n2 1 -1\n";
 * const { matrix, entries } = parseMatrixMarket(text);
 * assert.equal(entries, 2);
 * assert.equal(matrix.nnz, 3);
 * assert.equal(matrix.get(0, 1), -1);
 * ```
 *
 * @category Sparse
 */
export function parseMatrixMarket(text: string, source?: string): MatrixMarketMatrix {
  const reader = new Reader("sparse", source, text.length);
  reader.push(text, true);
  return reader.matrix();
}

/**
 * Parses a Matrix Market file into a dense column-major matrix: an `array`
 * file (general, real or integer) or a `coordinate` file (entries not
 * written are 0, symmetric files are expanded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatrixMarketDense } from "@gradsolve/gradsolve";
 * const d = parseMatrixMarketDense("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n");
 * assert.equal(d.rows, 2);
 * assert.equal(d.data[2], 3); // column-major: (0, 1) is 3
 * ```
 *
 * @category Sparse
 */
export function parseMatrixMarketDense(text: string, source?: string): MatrixMarketDense {
  const reader = new Reader("dense", source, text.length);
  reader.push(text, true);
  return reader.dense();
}

/**
 * Parses an n×1 Matrix Market file (`array` or `coordinate`, where missing
 * entries are 0) into a vector; any other column count is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatrixMarketVector } from "@gradsolve/gradsolve";
 * const b = parseMatrixMarketVector("%%MatrixMarket matrix coordinate real general\n3 1 1\n2 1 5\n");
 * assert.equal(b.length, 3);
 * assert.equal(b[0], 0);
 * assert.equal(b[1], 5);
 * ```
 *
 * @category Sparse
 */
export function parseMatrixMarketVector(text: string, source?: string): Float64Array {
  const reader = new Reader("vector", source, text.length);
  reader.push(text, true);
  return reader.dense().data;
}

/**
 * Gradient with respect to each FILE entry from the gradient with respect
 * to each stored entry: `g[e] = Σ sign·storedGrad[target]` over the
 * targets of `e`. For a symmetric off-diagonal entry this is
 * `gA[i, j] + gA[j, i]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileGradient, parseMatrixMarket } from "@gradsolve/gradsolve";
 * const mm = parseMatrixMarket("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n2 1 3\n");
 * const g = fileGradient(mm.entryMap, Float64Array.of(0.5, 0.25)); // stored (0,1), (1,0)
 * assert.equal(g.length, 1);
 * assert.equal(g[0], 0.75);
 * ```
 *
 * @category Sparse
 */
export function fileGradient(
  entryMap: MatrixMarketEntryMap,
  storedGrad: Float64Array,
): Float64Array {
  const { offsets, targets, signs } = entryMap;
  const entries = offsets.length - 1;
  const n = storedGrad.length;
  const g = new Float64Array(entries);
  for (let e = 0; e < entries; e++) {
    let s = 0;
    for (let k = offsets[e]; k < offsets[e + 1]; k++) {
      const t = targets[k];
      if (t >= n) {
        throw new ShapeError(
          `Cannot map gradient to file entries: entry ${e} feeds stored entry ${t} but the gradient has length ${n}`,
        );
      }
      s += signs[k] * storedGrad[t];
    }
    g[e] = s;
  }
  return g;
}

/**
 * Options of {@linkcode readMatrixMarket} and {@linkcode readMatrixMarketVector}.
 *
 * @category Sparse
 */
export interface ReadMatrixMarketOptions {
  /**
   * Bytes read from the file at a time. The file is parsed chunk by chunk
   * (a line cut by a chunk boundary is carried over), so its size is not
   * bounded by the longest string the runtime can hold.
   *
   * @default {1048576}
   */
  chunkSize?: number;
}

/**
 * Options of {@linkcode readMatrixMarketStream}.
 *
 * @category Sparse
 */
export interface ReadMatrixMarketStreamOptions {
  /**
   * Names the input in errors (`source:line: ...`).
   *
   * @default {undefined}
   */
  source?: string;
  /**
   * Total bytes of the stream, when known: the entry arrays are then sized
   * once instead of grown as entries arrive.
   *
   * @default {undefined}
   */
  size?: number;
}

/**
 * Reads and parses a `coordinate` Matrix Market file, streaming it in
 * chunks of `options.chunkSize` bytes (memory follows the entries, not the
 * file size); errors name `path`, and a directory is refused with a
 * {@linkcode GradsolveError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMatrixMarket } from "@gradsolve/gradsolve";
 * const path = await Deno.makeTempFile({ suffix: ".mtx" });
 * await Deno.writeTextFile(path, "%%MatrixMarket matrix coordinate real general\n2 2 1\n2 1 7\n");
 * const { matrix } = await readMatrixMarket(path);
 * assert.equal(matrix.get(1, 0), 7);
 * await Deno.remove(path);
 * ```
 *
 * @category Sparse
 */
export async function readMatrixMarket(
  path: string | URL,
  options: ReadMatrixMarketOptions = {},
): Promise<MatrixMarketMatrix> {
  return (await readFileWith(path, "sparse", options)).matrix();
}

/**
 * Parses a `coordinate` Matrix Market file from a stream of bytes (a
 * `ReadableStream`, e.g. `fetch(url).body` or `Deno.stdin.readable`, or any
 * iterable of chunks), cutting it at line ends as it arrives: the text is
 * never held whole, so memory follows the entries, not the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMatrixMarketStream } from "@gradsolve/gradsolve";
 * const bytes = new TextEncoder().encode("%%MatrixMarket matrix coordinate real general\n2 2 1\n2 1 7\n");
 * const chunks = [bytes.subarray(0, 50), bytes.subarray(50)]; // cut inside "2 2 1"
 * const { matrix } = await readMatrixMarketStream(chunks, { source: "A.mtx" });
 * assert.equal(matrix.get(1, 0), 7);
 * ```
 *
 * @category Sparse
 */
export async function readMatrixMarketStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadMatrixMarketStreamOptions = {},
): Promise<MatrixMarketMatrix> {
  const reader = new Reader("sparse", options.source, options.size);
  const lines = new LineSplitter(reader);
  for await (const chunk of chunks) lines.push(chunk);
  lines.end();
  return reader.matrix();
}

/**
 * Reads an n×1 Matrix Market vector file, streaming it like
 * {@linkcode readMatrixMarket}; errors name `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMatrixMarketVector } from "@gradsolve/gradsolve";
 * const path = await Deno.makeTempFile({ suffix: ".mtx" });
 * await Deno.writeTextFile(path, "%%MatrixMarket matrix array real general\n2 1\n1.5\n-2\n");
 * const b = await readMatrixMarketVector(path);
 * assert.deepEqual(b, Float64Array.of(1.5, -2));
 * await Deno.remove(path);
 * ```
 *
 * @category Sparse
 */
export async function readMatrixMarketVector(
  path: string | URL,
  options: ReadMatrixMarketOptions = {},
): Promise<Float64Array> {
  return (await readFileWith(path, "vector", options)).dense().data;
}

/**
 * Writes `A` as a `coordinate` Matrix Market text with 1-based indices, in
 * row order, numbers in shortest round-trip form (`String(x)`, `-0` kept).
 * Throws {@linkcode NonFiniteError} for NaN/Inf values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, formatMatrixMarket, parseMatrixMarket } from "@gradsolve/gradsolve";
 * const A = CsrMatrix.fromDense([[2, -1], [-1, 2]]);
 * const text = formatMatrixMarket(A, { symmetry: "symmetric" });
 * assert.equal(text.split("\n")[1], "2 2 3");
 * assert.equal(parseMatrixMarket(text).matrix.get(0, 1), -1);
 * ```
 *
 * @category Sparse
 */
export function formatMatrixMarket(A: CsrMatrix, options: FormatMatrixMarketOptions = {}): string {
  const { symmetry = "general", field = "real", comment } = options;
  const { nRows, nCols, rowPtr, colIdx } = A.pattern;
  const v = A.values;
  if (field !== "pattern") A.assertFinite("matrix");
  if (field === "integer") {
    for (let k = 0; k < v.length; k++) {
      if (!Number.isInteger(v[k])) {
        throw new GradsolveError(
          `Cannot write integer Matrix Market: entry (${A.pattern.rowIndices()[k]}, ${
            colIdx[k]
          }) is ${v[k]}, not an integer`,
        );
      }
    }
  }
  if (symmetry !== "general") checkWritableSymmetry(A, symmetry, field);
  const lines: string[] = [`%%MatrixMarket matrix coordinate ${field} ${symmetry}`];
  if (comment !== undefined) pushComment(lines, comment);
  lines.push("");
  const sizeAt = lines.length - 1;
  // Columns written in row i: all (general), j <= i (symmetric), j < i (skew-symmetric).
  const upperReach = symmetry === "general" ? nCols : symmetry === "symmetric" ? 1 : 0;
  let count = 0;
  for (let i = 0; i < nRows; i++) {
    const row = `${i + 1} `;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const j = colIdx[k];
      if (j >= i + upperReach) break; // columns are sorted
      lines.push(field === "pattern" ? row + (j + 1) : row + (j + 1) + " " + formatNumber(v[k]));
      count++;
    }
  }
  lines[sizeAt] = `${nRows} ${nCols} ${count}`;
  lines.push("");
  return lines.join("\n");
}

/**
 * Writes a vector as an n×1 `array real general` Matrix Market text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMatrixMarketVector, parseMatrixMarketVector } from "@gradsolve/gradsolve";
 * const v = Float64Array.of(0.1, -2, 1e-300);
 * const back = parseMatrixMarketVector(formatMatrixMarketVector(v));
 * assert.ok(back.every((x, i) => x === v[i]));
 * ```
 *
 * @category Sparse
 */
export function formatMatrixMarketVector(
  v: Float64Array,
  options: FormatMatrixMarketVectorOptions = {},
): string {
  const lines: string[] = ["%%MatrixMarket matrix array real general"];
  if (options.comment !== undefined) pushComment(lines, options.comment);
  lines.push(`${v.length} 1`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new NonFiniteError(`Cannot write Matrix Market vector: entry ${i} is ${v[i]}`);
    }
    lines.push(formatNumber(v[i]));
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * Writes `A` to `path` with {@linkcode formatMatrixMarket}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CsrMatrix, readMatrixMarket, writeMatrixMarket } from "@gradsolve/gradsolve";
 * const path = await Deno.makeTempFile({ suffix: ".mtx" });
 * await writeMatrixMarket(path, CsrMatrix.fromDense([[1, 0], [0, 2]]), { comment: "one" });
 * assert.ok((await Deno.readTextFile(path)).startsWith("%%MatrixMarket matrix coordinate real"));
 * assert.equal((await readMatrixMarket(path)).matrix.get(1, 1), 2);
 * await Deno.remove(path);
 * ```
 *
 * @category Sparse
 */
export async function writeMatrixMarket(
  path: string | URL,
  A: CsrMatrix,
  options: FormatMatrixMarketOptions = {},
): Promise<void> {
  await Deno.writeTextFile(path, formatMatrixMarket(A, options));
}

/**
 * Writes a vector to `path` with {@linkcode formatMatrixMarketVector}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMatrixMarketVector, writeMatrixMarketVector } from "@gradsolve/gradsolve";
 * const path = await Deno.makeTempFile({ suffix: ".mtx" });
 * await writeMatrixMarketVector(path, Float64Array.of(1, 2, 3));
 * assert.deepEqual(await readMatrixMarketVector(path), Float64Array.of(1, 2, 3));
 * await Deno.remove(path);
 * ```
 *
 * @category Sparse
 */
export async function writeMatrixMarketVector(
  path: string | URL,
  v: Float64Array,
  options: FormatMatrixMarketVectorOptions = {},
): Promise<void> {
  await Deno.writeTextFile(path, formatMatrixMarketVector(v, options));
}

// ---------------------------------------------------------------------------
// Reading internals

interface Header {
  format: "coordinate" | "array";
  field: MatrixMarketField;
  symmetry: MatrixMarketSymmetry;
}

interface Size {
  rows: number;
  cols: number;
  /** Entries the file must hold: the third number, or rows·cols for arrays. */
  entries: number;
  /** Line of the size line. */
  line: number;
}

interface Coordinates {
  rows: Int32Array;
  cols: Int32Array;
  values: Float64Array;
  /** Line of each entry; only recorded for symmetric and skew-symmetric files. */
  lines: Int32Array | undefined;
}

/** Most fields a data line may have (more are counted, not stored). */
const MAX_FIELDS = 4;
/** Most entries a coordinate file may declare: entry and stored-entry indices are Int32. */
const MAX_ENTRIES = 2147483647;
/**
 * A dimension up to this is read whatever the entry count (256 MiB of row
 * pointers at most), and so is a dense result of up to this many values
 * (512 MiB); beyond it the file must declare at least one entry per
 * {@linkcode ENTRY_RATIO} rows, columns or dense values.
 */
const ROOMY = 67108864;
/** Rows (or columns, or dense values) allowed per declared entry above {@linkcode ROOMY}. */
const ENTRY_RATIO = 8;
/** Bytes read from a file at a time unless `chunkSize` says otherwise. */
const DEFAULT_CHUNK = 1048576;
/**
 * Longest banner line; also the longest comment or blank line held in
 * memory while reading a file or stream (a longer one is skipped unread).
 */
const MAX_LINE = 1048576;

/**
 * Walks the text one data line at a time (skipping blank and `%` lines)
 * and records where each whitespace-separated field starts and ends. No
 * per-line strings or regular expressions: only `indexOf` and `charCodeAt`.
 */
class Scanner {
  /** The piece of text being read: whole lines, the last one unterminated only at the end. */
  text = "";
  readonly source: string | undefined;
  /** Offset of the next unread character. */
  pos = 0;
  /** 1-based number of the line last read (0 before the first). */
  line = 0;
  /** Number of fields on the current line. */
  count = 0;
  readonly start = new Int32Array(MAX_FIELDS);
  readonly end = new Int32Array(MAX_FIELDS);

  constructor(source: string | undefined) {
    this.source = source;
  }

  /** Moves on to the next piece of the input; line numbers carry on. */
  load(text: string): void {
    this.text = text;
    // A byte-order mark can only start the first piece.
    this.pos = this.line === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** Reads line 1 verbatim (the banner); undefined for empty text. */
  firstLine(): string | undefined {
    const text = this.text;
    if (this.pos >= text.length) return undefined;
    let e = text.indexOf("\n", this.pos);
    if (e < 0) e = text.length;
    const line = text.slice(this.pos, e);
    this.pos = e + 1;
    this.line = 1;
    return line;
  }

  /** Advances to the next line holding data; false at the end of the text. */
  next(): boolean {
    const text = this.text, n = text.length, start = this.start, end = this.end;
    while (this.pos < n) {
      const s = this.pos;
      let e = text.indexOf("\n", s);
      if (e < 0) e = n;
      this.pos = e + 1;
      this.line++;
      let count = 0;
      let k = s;
      while (k < e) {
        let c = text.charCodeAt(k);
        if (c === 32 || c === 9 || c === 13) {
          k++;
          continue;
        }
        if (count === 0 && c === 37) break; // '%': comment line
        const t0 = k;
        while (k < e && (c = text.charCodeAt(k)) !== 32 && c !== 9 && c !== 13) k++;
        if (count < MAX_FIELDS) {
          start[count] = t0;
          end[count] = k;
        }
        count++;
      }
      if (count > 0) {
        this.count = count;
        return true;
      }
    }
    return false;
  }

  /** Text of field `f` on the current line. */
  field(f: number): string {
    return this.text.slice(this.start[f], this.end[f]);
  }

  /** Field `f` as a non-negative integer; `what` names it in errors. */
  integer(f: number, what: string): number {
    const text = this.text, s = this.start[f], e = this.end[f];
    let v = 0;
    for (let k = s; k < e; k++) {
      const d = text.charCodeAt(k) - 48;
      if (d < 0 || d > 9 || e - s > 15) {
        throw this.error(`${what} '${this.field(f)}' is not a non-negative integer`);
      }
      v = v * 10 + d;
    }
    return v;
  }

  /** Field `f` as a 1-based index in `1..n`, returned 0-based. */
  index(f: number, n: number, what: string): number {
    const v = this.integer(f, what);
    if (v < 1 || v > n) throw this.error(`${what} ${v} is outside 1..${n}`);
    return v - 1;
  }

  /** Field `f` as a finite number (an integer when `field` is "integer"). */
  value(f: number, field: MatrixMarketField): number {
    const text = this.text, s = this.start[f];
    const token = text.slice(s, this.end[f]);
    const v = Number(token);
    // Number() also accepts 0x.., 0b.., 0o..; a decimal token never has a letter second.
    const c1 = token.length > 1 && text.charCodeAt(s) === 48 ? text.charCodeAt(s + 1) | 32 : 0;
    if (Number.isFinite(v) && c1 !== 120 && c1 !== 98 && c1 !== 111) {
      if (field === "integer" && !Number.isInteger(v)) {
        throw this.error(`value ${token} is not an integer but the field is 'integer'`);
      }
      return v;
    }
    const bare = token.toLowerCase().replace(/^[+-]/, "");
    if (bare === "nan") throw this.error(`value ${token} is NaN: entries must be finite`);
    if (bare === "inf" || bare === "infinity") {
      throw this.error(`value ${token} is infinite: entries must be finite`);
    }
    if (v === Infinity || v === -Infinity) {
      throw this.error(`value ${token} overflows to ${v}: entries must be finite`);
    }
    throw this.error(`value '${token}' is not a number`);
  }

  /** Refuses a line whose field count is not `expected`. */
  expectFields(expected: number, names: string): void {
    if (this.count !== expected) {
      throw this.error(
        `expected ${expected} field${expected === 1 ? "" : "s"} (${names}) but found ${this.count}`,
      );
    }
  }

  /** An error at the current line. */
  error(detail: string): MatrixMarketError {
    return new MatrixMarketError(detail, this.line, this.source);
  }

  /** An error at `line`. */
  errorAt(line: number, detail: string): MatrixMarketError {
    return new MatrixMarketError(detail, line, this.source);
  }
}

const BANNER = "%%matrixmarket";

function readBanner(sc: Scanner): Header {
  const first = sc.firstLine();
  if (first === undefined) {
    throw sc.errorAt(1, "missing banner: the text is empty, expected '%%MatrixMarket matrix ...'");
  }
  if (first.length > MAX_LINE) {
    throw sc.errorAt(1, `line 1 is longer than ${MAX_LINE} bytes: not a Matrix Market banner`);
  }
  const words = first.trim().split(/[ \t]+/);
  const tag = words[0].toLowerCase();
  if (tag !== BANNER) {
    throw sc.error(
      `missing banner: line 1 must start with '%%MatrixMarket' but starts with '${
        words[0].slice(0, 20)
      }'`,
    );
  }
  if (words.length !== 5) {
    throw sc.error(
      `banner must have 5 words (%%MatrixMarket matrix format field symmetry) but has ${words.length}`,
    );
  }
  const [object, format, field, symmetry] = words.slice(1).map((w) => w.toLowerCase());
  if (object !== "matrix") {
    throw sc.error(`object '${words[1]}' is not supported: expected 'matrix'`);
  }
  if (format !== "coordinate" && format !== "array") {
    throw sc.error(`format '${words[2]}' is not supported: expected 'coordinate' or 'array'`);
  }
  if (field !== "real" && field !== "integer" && field !== "pattern") {
    throw sc.error(`field '${words[3]}' is not supported: expected 'real', 'integer' or 'pattern'`);
  }
  if (symmetry !== "general" && symmetry !== "symmetric" && symmetry !== "skew-symmetric") {
    throw sc.error(
      `symmetry '${
        words[4]
      }' is not supported: expected 'general', 'symmetric' or 'skew-symmetric'`,
    );
  }
  if (format === "array" && field === "pattern") {
    throw sc.error("field 'pattern' cannot be used with format 'array'");
  }
  if (format === "array" && symmetry !== "general") {
    throw sc.error(
      `symmetry '${words[4]}' is not supported with format 'array': expected 'general'`,
    );
  }
  if (field === "pattern" && symmetry === "skew-symmetric") {
    throw sc.error("field 'pattern' cannot be skew-symmetric");
  }
  return { format, field, symmetry };
}

/** What a read builds: a CSR matrix, a dense matrix, or an n×1 dense vector. */
type ReadMode = "sparse" | "dense" | "vector";

/**
 * Reads the size line (the scanner's current line) and refuses sizes the
 * reader could not honour: a dimension beyond Int32, more entries than
 * Int32 indices address, and a size far beyond what the declared entries
 * need (the rule of {@linkcode ROOMY}), before anything is allocated for it.
 */
function readSize(sc: Scanner, header: Header, mode: ReadMode): Size {
  const coordinate = header.format === "coordinate";
  sc.expectFields(coordinate ? 3 : 2, coordinate ? "rows columns entries" : "rows columns");
  const rows = sc.integer(0, "row count");
  const cols = sc.integer(1, "column count");
  if (rows > MAX_DIMENSION || cols > MAX_DIMENSION) {
    throw sc.error(
      `size ${rows}x${cols} exceeds the largest supported dimension ${MAX_DIMENSION} (indices and row pointers are Int32)`,
    );
  }
  if (header.symmetry !== "general" && rows !== cols) {
    throw sc.error(`a ${header.symmetry} matrix must be square but the size is ${rows}x${cols}`);
  }
  const entries = coordinate ? sc.integer(2, "entry count") : rows * cols;
  if (mode === "vector" && cols !== 1) {
    throw sc.error(`expected a vector (n x 1) but the size is ${rows}x${cols}`);
  }
  if (coordinate) {
    if (entries > MAX_ENTRIES) {
      throw sc.error(
        `the size line declares ${entries} entries, more than the ${MAX_ENTRIES} an Int32 index can address`,
      );
    }
    // An array format's values are all in the file, so only coordinate files can
    // declare a size that costs memory the file does not pay for.
    const allowed = Math.max(ROOMY, ENTRY_RATIO * entries);
    const counted = `${entries} ${entries === 1 ? "entry" : "entries"}`;
    if (rows > allowed || cols > allowed) {
      throw sc.error(
        `size ${rows}x${cols} with ${counted}: its row pointers would take ${
          gibibytes(4 * (Math.max(rows, cols) + 1))
        } (4 bytes per row or column); a dimension above ${ROOMY} needs at least one entry per ${ENTRY_RATIO} rows or columns`,
      );
    }
    if (mode !== "sparse" && rows * cols > allowed) {
      throw sc.error(
        `a dense ${rows}x${cols} result would need ${
          gibibytes(8 * rows * cols)
        } for ${counted}; a dense result of more than ${ROOMY} values needs at least one entry per ${ENTRY_RATIO} values`,
      );
    }
  }
  return { rows, cols, entries, line: sc.line };
}

function gibibytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

const BANNER_STAGE = 0, SIZE_STAGE = 1, DATA_STAGE = 2;

/**
 * Reads a Matrix Market text handed over in pieces, each made of whole
 * lines (only the last piece may end without a line end): a whole string is
 * one piece, a file is cut at the last line end of each chunk. The entry
 * arrays are sized from what the input can hold (`total`, when known) and
 * grow otherwise, so memory follows the entries actually present.
 */
class Reader {
  readonly sc: Scanner;
  readonly mode: ReadMode;
  readonly source: string | undefined;
  /** Length of the whole input (a string's characters, a file's bytes), when known. */
  readonly total: number | undefined;
  /** Characters in the pieces before the current one. */
  consumed = 0;
  stage = BANNER_STAGE;
  header: Header = { format: "coordinate", field: "real", symmetry: "general" };
  size: Size = { rows: 0, cols: 0, entries: 0, line: 0 };
  /** Entries (or array values) read so far. */
  count = 0;
  rows = new Int32Array(0);
  cols = new Int32Array(0);
  /** Entry values, or an array file's values. */
  values = new Float64Array(0);
  /** Line of each entry; only recorded for symmetric and skew-symmetric files. */
  lines: Int32Array | undefined;

  constructor(mode: ReadMode, source: string | undefined, total: number | undefined) {
    this.sc = new Scanner(source);
    this.mode = mode;
    this.source = source;
    this.total = total;
  }

  /** Reads one piece; `final` when it is the last (the input ends after it). */
  push(text: string, final: boolean): void {
    const sc = this.sc;
    sc.load(text);
    if (this.stage === BANNER_STAGE) {
      this.header = readBanner(sc);
      if (this.mode === "sparse" && this.header.format === "array") {
        throw sc.errorAt(
          1,
          "format 'array' is a dense matrix: use parseMatrixMarketDense or parseMatrixMarketVector",
        );
      }
      this.stage = SIZE_STAGE;
    }
    if (this.stage === SIZE_STAGE) {
      if (!sc.next()) {
        if (final) {
          throw sc.errorAt(
            Math.max(sc.line, 1),
            "missing size line: the text ends after the header",
          );
        }
        this.consumed += text.length;
        return;
      }
      this.size = readSize(sc, this.header, this.mode);
      this.allocate();
      this.stage = DATA_STAGE;
    }
    if (this.header.format === "coordinate") this.readEntries(final);
    else this.readValues(final);
    this.consumed += text.length;
  }

  /** Counts a line the caller skipped without handing it over (an over-long comment). */
  skipLine(): void {
    this.sc.line++;
  }

  /** Sizes the entry arrays: the declared count, or less when the input cannot hold it. */
  allocate(): void {
    const { entries } = this.size;
    const coordinate = this.header.format === "coordinate";
    // A data line needs at least 4 characters ("1 1\n"), an array value 2 ("1\n"), so a
    // count beyond that is a "too few entries" error found at the end: never allocate for it.
    const left = this.total === undefined ? undefined : this.total - this.consumed - this.sc.pos;
    const fits = left === undefined
      ? 4096
      : Math.floor(Math.max(left + 1, 0) / (coordinate ? 4 : 2)) + 1;
    const capacity = Math.min(entries, fits);
    if (coordinate) {
      this.rows = new Int32Array(capacity);
      this.cols = new Int32Array(capacity);
      if (this.header.symmetry !== "general") this.lines = new Int32Array(capacity);
    }
    this.values = new Float64Array(capacity);
  }

  /** Doubles the entry arrays (up to the declared count) when a stream holds more than guessed. */
  grow(): void {
    const capacity = Math.min(this.size.entries, Math.max(1024, 2 * this.values.length));
    const widen = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    if (this.header.format === "coordinate") {
      this.rows = widen(this.rows, (n) => new Int32Array(n));
      this.cols = widen(this.cols, (n) => new Int32Array(n));
      if (this.lines) this.lines = widen(this.lines, (n) => new Int32Array(n));
    }
    this.values = widen(this.values, (n) => new Float64Array(n));
  }

  readEntries(final: boolean): void {
    const sc = this.sc;
    const { field, symmetry } = this.header;
    const { rows: nRows, cols: nCols, entries } = this.size;
    const nFields = field === "pattern" ? 2 : 3;
    const names = field === "pattern" ? "row column" : "row column value";
    const skew = symmetry === "skew-symmetric";
    let e = this.count;
    read: for (;;) {
      const { rows, cols, values, lines } = this;
      const stop = Math.min(entries, rows.length);
      for (; e < stop; e++) {
        if (!sc.next()) break read;
        sc.expectFields(nFields, names);
        const i = sc.index(0, nRows, "row index");
        const j = sc.index(1, nCols, "column index");
        if (skew && i === j) {
          throw sc.error(
            `diagonal entry (${i + 1}, ${
              j + 1
            }) in a skew-symmetric file: its diagonal is zero and must not be stored`,
          );
        }
        rows[e] = i;
        cols[e] = j;
        values[e] = nFields === 2 ? 1 : sc.value(2, field);
        if (lines) lines[e] = sc.line;
      }
      if (e === entries) break;
      this.grow(); // a stream holds more entries than guessed
    }
    this.count = e;
    if (e === entries) {
      if (sc.next()) throw sc.error(`too many entries: the size line declares ${entries}`);
    } else if (final) {
      throw sc.errorAt(
        Math.max(sc.line, 1),
        `too few entries: the size line declares ${entries} but the text ends after ${e}`,
      );
    }
  }

  readValues(final: boolean): void {
    const sc = this.sc;
    const { rows, cols, entries } = this.size;
    let data = this.values;
    let e = this.count;
    for (; e < entries; e++) {
      if (!sc.next()) break;
      sc.expectFields(1, "value");
      if (e === data.length) {
        this.grow();
        data = this.values;
      }
      data[e] = sc.value(0, this.header.field);
    }
    this.count = e;
    if (e === entries) {
      if (sc.next()) {
        throw sc.error(`too many entries: a ${rows}x${cols} array needs ${entries} values`);
      }
    } else if (final) {
      throw sc.errorAt(
        sc.line,
        `too few entries: a ${rows}x${cols} array needs ${entries} values but the text ends after ${e}`,
      );
    }
  }

  /** The coordinates read, trimmed to the entry count. */
  coordinates(): Coordinates {
    const n = this.count;
    const trim = <T extends Int32Array | Float64Array>(
      a: T,
    ) => (a.length === n ? a : a.slice(0, n) as T);
    return {
      rows: trim(this.rows),
      cols: trim(this.cols),
      values: trim(this.values),
      lines: this.lines && trim(this.lines),
    };
  }

  /** The CSR matrix of a coordinate file (after the final piece). */
  matrix(): MatrixMarketMatrix {
    return assemble(this.coordinates(), this.header, this.size, this.source);
  }

  /** The dense matrix (after the final piece). */
  dense(): MatrixMarketDense {
    const { rows, cols } = this.size;
    if (this.header.format === "array") {
      const n = this.count;
      return { rows, cols, data: this.values.length === n ? this.values : this.values.slice(0, n) };
    }
    const { matrix } = this.matrix();
    const data = new Float64Array(rows * cols);
    const { rowPtr, colIdx } = matrix.pattern;
    for (let i = 0; i < rows; i++) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) data[i + colIdx[k] * rows] = matrix.values[k];
    }
    return { rows, cols, data };
  }
}

/**
 * Cuts a byte stream at line ends and hands the decoded whole lines to a
 * {@linkcode Reader}. A line that crosses a chunk boundary is carried over
 * as bytes (so a multi-byte character is never split); a comment or blank
 * line longer than {@linkcode MAX_LINE} is skipped instead of carried.
 */
class LineSplitter {
  readonly reader: Reader;
  readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  /** Bytes of the unfinished line. */
  carry = new Uint8Array(4096);
  filled = 0;
  /** Inside a comment or blank line too long to hold: dropping bytes up to its end. */
  skipping = false;

  constructor(reader: Reader) {
    this.reader = reader;
  }

  push(bytes: Uint8Array): void {
    if (this.skipping) {
      const end = bytes.indexOf(10);
      if (end < 0) return;
      this.skipping = false;
      this.reader.skipLine();
      bytes = bytes.subarray(end + 1);
    }
    const last = bytes.lastIndexOf(10);
    if (last >= 0) {
      let text: string;
      if (this.filled === 0) {
        text = this.decode(bytes.subarray(0, last + 1));
      } else {
        this.append(bytes.subarray(0, last + 1));
        text = this.decode(this.carry.subarray(0, this.filled));
        this.filled = 0;
      }
      this.reader.push(text, false);
      bytes = bytes.subarray(last + 1);
    }
    this.append(bytes);
    if (this.filled > MAX_LINE) this.longLine();
  }

  /** Ends the input: the unfinished line, if any, is the last. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.reader.skipLine();
    }
    this.reader.push(this.decode(this.carry.subarray(0, this.filled)), true);
    this.filled = 0;
  }

  append(bytes: Uint8Array): void {
    const need = this.filled + bytes.length;
    if (need > this.carry.length) {
      const wider = new Uint8Array(Math.max(need, 2 * this.carry.length));
      wider.set(this.carry.subarray(0, this.filled));
      this.carry = wider;
    }
    this.carry.set(bytes, this.filled);
    this.filled = need;
  }

  /** The carried line passed {@linkcode MAX_LINE}: skip it if it is a comment, refuse a banner. */
  longLine(): void {
    const reader = this.reader;
    if (reader.stage === BANNER_STAGE) {
      throw new MatrixMarketError(
        `line 1 is longer than ${MAX_LINE} bytes: not a Matrix Market banner`,
        1,
        reader.source,
      );
    }
    const c = this.carry;
    let k = 0;
    while (k < this.filled && (c[k] === 32 || c[k] === 9 || c[k] === 13)) k++;
    if (k === this.filled || c[k] === 37) {
      this.filled = 0;
      this.skipping = true;
    }
    // A long data line is kept: it is refused or read like any other once it ends.
  }

  decode(bytes: Uint8Array): string {
    try {
      return this.decoder.decode(bytes);
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
      const line = this.reader.sc.line + 1;
      throw new MatrixMarketError(
        `cannot hold ${bytes.length} bytes without a line end as text: no Matrix Market line is that long`,
        line,
        this.reader.source,
      );
    }
  }
}

function chunkSizeOf(options: ReadMatrixMarketOptions): number {
  const { chunkSize = DEFAULT_CHUNK } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(
      `Cannot read Matrix Market file: chunkSize must be a positive integer, got ${chunkSize}`,
    );
  }
  return chunkSize;
}

/** Streams a file through a reader, `chunkSize` bytes at a time. */
async function readFileWith(
  path: string | URL,
  mode: ReadMode,
  options: ReadMatrixMarketOptions,
): Promise<Reader> {
  const chunkSize = chunkSizeOf(options);
  const source = String(path);
  const file = await Deno.open(path);
  try {
    const info = await file.stat();
    if (info.isDirectory) {
      throw new GradsolveError(`Cannot read Matrix Market file ${source}: it is a directory`);
    }
    const reader = new Reader(mode, source, info.isFile ? info.size : undefined);
    const lines = new LineSplitter(reader);
    const chunk = new Uint8Array(chunkSize);
    for (;;) {
      const n = await file.read(chunk);
      if (n === null) break;
      lines.push(chunk.subarray(0, n));
    }
    lines.end();
    return reader;
  } finally {
    file.close();
  }
}

function assemble(
  c: Coordinates,
  header: Header,
  size: Size,
  source: string | undefined,
): MatrixMarketMatrix {
  const { rows: fr, cols: fc, values: fv, lines } = c;
  const { symmetry } = header;
  const entries = size.entries;
  const offsets = new Int32Array(entries + 1);
  let total = 0;
  for (let e = 0; e < entries; e++) {
    total += symmetry !== "general" && fr[e] !== fc[e] ? 2 : 1;
    offsets[e + 1] = total;
  }
  if (total > MAX_ENTRIES) {
    throw new MatrixMarketError(
      `the ${entries} entries expand to ${total} stored entries, more than the ${MAX_ENTRIES} an Int32 index can address`,
      size.line,
      source,
    );
  }
  const tRows = new Int32Array(total);
  const tCols = new Int32Array(total);
  const signs = new Float64Array(total);
  const mirrorSign = symmetry === "skew-symmetric" ? -1 : 1;
  for (let e = 0; e < entries; e++) {
    const k = offsets[e];
    tRows[k] = fr[e];
    tCols[k] = fc[e];
    signs[k] = 1;
    if (offsets[e + 1] - k === 2) {
      tRows[k + 1] = fc[e];
      tCols[k + 1] = fr[e];
      signs[k + 1] = mirrorSign;
    }
  }
  const { pattern, map: targets } = patternFromTriplets(size.rows, size.cols, tRows, tCols);
  if (lines) refuseMirroredPairs(c, lines, offsets, targets, pattern.nnz, header.symmetry, source);
  // Start from -0, the identity of +, so a single entry keeps its sign bit (-0 round-trips).
  const values = new Float64Array(pattern.nnz).fill(-0);
  for (let e = 0; e < entries; e++) {
    const v = fv[e];
    for (let k = offsets[e]; k < offsets[e + 1]; k++) values[targets[k]] += signs[k] * v;
  }
  return {
    matrix: new CsrMatrix(pattern, values),
    field: header.field,
    symmetry,
    entries,
    fileRows: fr,
    fileCols: fc,
    entryMap: { offsets, targets, signs },
  };
}

/** A symmetric file storing both (i, j) and (j, i) is ambiguous: refuse it. */
function refuseMirroredPairs(
  c: Coordinates,
  lines: Int32Array,
  offsets: Int32Array,
  targets: Int32Array,
  nnz: number,
  symmetry: MatrixMarketSymmetry,
  source: string | undefined,
): void {
  // writtenBy[t] = 1 + the file entry written at stored position t (0: none yet).
  const writtenBy = new Int32Array(nnz);
  for (let e = 0; e < offsets.length - 1; e++) {
    const k = offsets[e];
    if (offsets[e + 1] - k !== 2) continue;
    const other = writtenBy[targets[k + 1]];
    if (other > 0) {
      const i = c.rows[e] + 1, j = c.cols[e] + 1;
      throw new MatrixMarketError(
        `entry (${i}, ${j}) mirrors entry (${j}, ${i}) on line ${
          lines[other - 1]
        }: a ${symmetry} file stores each off-diagonal pair once`,
        lines[e],
        source,
      );
    }
    writtenBy[targets[k]] = e + 1;
  }
}

// ---------------------------------------------------------------------------
// Writing internals

function formatNumber(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

function pushComment(lines: string[], comment: string): void {
  for (const line of comment.split(/\r?\n/)) lines.push(line === "" ? "%" : `% ${line}`);
}

function checkWritableSymmetry(
  A: CsrMatrix,
  symmetry: "symmetric" | "skew-symmetric",
  field: MatrixMarketField,
): void {
  const [nRows, nCols] = A.shape;
  if (nRows !== nCols) {
    throw new ShapeError(
      `Cannot write ${symmetry} Matrix Market: matrix is ${nRows}x${nCols}, not square`,
    );
  }
  if (field === "pattern" && symmetry === "skew-symmetric") {
    throw new GradsolveError(
      "Cannot write Matrix Market: field 'pattern' cannot be skew-symmetric",
    );
  }
  const p = A.pattern;
  if (!p.isStructurallySymmetric()) {
    throw new GradsolveError(
      `Cannot write ${symmetry} Matrix Market: the sparsity pattern is not symmetric`,
    );
  }
  if (field === "pattern") return;
  const perm = p.transpose().perm;
  const v = A.values;
  const sign = symmetry === "symmetric" ? 1 : -1;
  const rowOf = p.rowIndices();
  for (let k = 0; k < v.length; k++) {
    if (v[perm[k]] !== sign * v[k]) {
      const i = rowOf[k], j = p.colIdx[k];
      throw new GradsolveError(
        `Cannot write ${symmetry} Matrix Market: A[${i}, ${j}] = ${v[k]} but A[${j}, ${i}] = ${
          v[perm[k]]
        }`,
      );
    }
  }
}
