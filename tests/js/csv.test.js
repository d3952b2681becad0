// web/js/csv.js: a strict CSV reader, as Python's csv module reads (strict=True).
import assert from "node:assert/strict";
import { test } from "node:test";

import { CsvError, csvRecords } from "../../web/js/csv.js";

const records = (text) => [...csvRecords(text)].map(({ line, fields }) => [line, fields]);

test("plain rows, LF, CRLF and CR line ends, a last line without one", () => {
  assert.deepEqual(records("a,b\nc,d\r\ne,f\rg,h"), [
    [1, ["a", "b"]],
    [2, ["c", "d"]],
    [3, ["e", "f"]],
    [4, ["g", "h"]],
  ]);
});

test("quotes: commas, doubled quotes and line ends inside a field; line numbers count them", () => {
  const text = 'id,title\n1,"Hello, ""World"""\n2,"two\r\nlines\nand three"\n3,x\n';
  assert.deepEqual(records(text), [
    [1, ["id", "title"]],
    [2, ["1", 'Hello, "World"']],
    [3, ["2", "two\r\nlines\nand three"]],
    [6, ["3", "x"]],
  ]);
});

test("empty fields, quoted empty fields and Goodreads' =\"...\" ISBNs", () => {
  assert.deepEqual(records('a,,"",b,\n'), [[1, ["a", "", "", "b", ""]]]);
  // A quote in the middle of an unquoted field is kept, as Python's csv keeps it.
  assert.deepEqual(records('="0439023483",=""\n'), [[1, ['="0439023483"', '=""']]]);
  // As exports write them: the whole cell quoted, its quotes doubled.
  assert.deepEqual(records('"=""0439023483""","="""""\n'), [[1, ['="0439023483"', '=""']]]);
});

test("a byte-order mark is skipped and blank lines are not records", () => {
  assert.deepEqual(records("\ufeffBook Id,Title\n\n  \n1,x\n\n"), [
    [1, ["Book Id", "Title"]],
    [4, ["1", "x"]],
  ]);
  assert.deepEqual(records(""), []);
  assert.deepEqual(records("\ufeff"), []);
});

test("a quote never closed, or text after a closing quote, is a CsvError naming the line", () => {
  assert.throws(() => records('a,b\n1,"never closed\n2,x\n'), (error) => {
    assert.ok(error instanceof CsvError);
    assert.equal(error.line, 2);
    assert.match(error.message, /^Line 2: a quoted field is never closed/);
    return true;
  });
  assert.throws(() => records('a,b\n\n1,"ab"c\n'), /: Line 3: a closing quote is followed by more text/);
});

test("the end offset of each record, for progress", () => {
  const text = "a,b\r\nc,d\n";
  assert.deepEqual(
    [...csvRecords(text)].map((r) => r.end),
    [5, 9],
  );
});
