// CSV as spreadsheets and Goodreads write it, read as Python's csv module reads it (strict):
// quoted fields with "" for a quote and newlines inside, CRLF / LF / CR line ends, a quote in
// the middle of an unquoted field kept as it is (Goodreads writes ISBNs as ="0439023483").
// Pure: no DOM. model/goodreads_csv.py's csv_records is the same reader in Python.

/** A file that is not valid CSV: `line` is the file line where the bad record starts. */
export class CsvError extends Error {
  constructor(line, problem) {
    super(`Line ${line}: ${problem}.`);
    this.name = "CsvError";
    this.line = line;
  }
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;

/**
 * Yields {line, fields, end} for each record of `text` that is not blank (a blank record is a
 * single empty or white-space field): `line` where it starts (1-based), `end` the offset after
 * it, for progress. A leading byte-order mark is skipped.
 */
export function* csvRecords(text) {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields = [];
    for (;;) {
      let field = "";
      if (text.charCodeAt(i) === QUOTE) {
        i += 1;
        let from = i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new CsvError(start, "a quoted field is never closed (a missing closing quote)");
          line += countLineEnds(text, i, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            field += text.slice(from, q + 1); // "" is one quote
            i = q + 2;
            from = i;
            continue;
          }
          field += text.slice(from, q);
          i = q + 1;
          break;
        }
        const next = text.charCodeAt(i);
        if (i < n && next !== COMMA && next !== CR && next !== LF) {
          throw new CsvError(start, "a closing quote is followed by more text (a quote inside a field must be doubled)");
        }
      } else {
        const from = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === CR || c === LF) break;
          i += 1;
        }
        field = text.slice(from, i);
      }
      fields.push(field);
      if (i < n && text.charCodeAt(i) === COMMA) {
        i += 1;
        continue;
      }
      // End of the record: a line end (CRLF counts once) or the end of the text.
      const end = text.charCodeAt(i);
      if (end === CR) i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      else if (end === LF) i += 1;
      line += 1;
      break;
    }
    if (fields.length === 1 && fields[0].trim() === "") continue;
    yield { line: start, fields, end: i };
  }
}

/** Line ends in text[from, to): CRLF, CR and LF each count once. */
function countLineEnds(text, from, to) {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) count += 1;
  }
  return count;
}
