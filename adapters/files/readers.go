package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// checkEvery is how many rows are read between context checks.
const checkEvery = 256

// file is one file being read: where it is, how records name it, and the
// largest row it may hold.
type file struct {
	path, display string
	maxRow        int
}

// bom is the UTF-8 byte order mark some editors write at the start of a
// file; it is not part of the data.
var bom = []byte("\ufeff")

// errTooLarge describes a row larger than the bound.
func (f file) errTooLarge(size int) error {
	return fmt.Errorf("row is %d bytes, more than max_row_bytes (%d); raise the dataset's max_row_bytes to read it", size, f.maxRow)
}

// checkText refuses text that is not valid UTF-8: the JSON decoder would
// silently replace each bad byte with U+FFFD, training on text that is
// not in the file.
func checkText(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	col := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Errorf("invalid UTF-8: byte 0x%02x at column %d (re-encode the file as UTF-8)", data[i], col)
		}
		i += size
		if data[i-size] == '\n' {
			col = 1
		} else {
			col++
		}
	}
	return errors.New("invalid UTF-8 (re-encode the file as UTF-8)")
}

// decodeObject decodes one JSON value that must be an object.
func decodeObject(data []byte) (map[string]any, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("row is a JSON %s, not an object", jsonKind(v))
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "value"
}

// readLine reads one line, without its newline, keeping at most max
// bytes: a longer line is read to its end without being kept (tooLong;
// size says how long it was, without the newline), so a huge row costs
// no memory.
func readLine(r *bufio.Reader, max int) (line []byte, size int, tooLong bool, err error) {
	for {
		var chunk []byte
		chunk, err = r.ReadSlice('\n')
		size += len(chunk)
		if bytes.HasSuffix(chunk, []byte("\n")) {
			size--
		}
		if !tooLong && size > max {
			tooLong, line = true, nil
		}
		if !tooLong {
			line = append(line, chunk...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	if tooLong {
		return nil, size, true, err
	}
	return bytes.TrimSuffix(line, []byte("\n")), size, false, err
}

// readJSONL yields one record per non-blank line. Lines are read within
// the row bound (readLine), so memory stays proportional to the largest
// row kept, not to the largest line in the file.
func readJSONL(ctx context.Context, f file, yield func(ports.Record, error) bool) {
	fh, err := os.Open(f.path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", f.display, err))
		return
	}
	defer fh.Close()
	r := bufio.NewReaderSize(fh, 1<<16)
	for line := 1; ; line++ {
		if line%checkEvery == 0 && ctx.Err() != nil {
			yield(ports.Record{}, ctx.Err())
			return
		}
		data, size, tooLong, err := readLine(r, f.maxRow)
		if line == 1 {
			data = bytes.TrimPrefix(data, bom)
		}
		rec := ports.Record{File: f.display, Line: line}
		switch {
		case tooLong:
			rec.Err = f.errTooLarge(size)
		case len(bytes.TrimSpace(data)) > 0:
			rec.Fields, rec.Err = decodeObject(data)
		default:
			rec.File = "" // a blank line is no row
		}
		if rec.File != "" && !yield(rec, nil) {
			return
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			yield(ports.Record{}, fmt.Errorf("dataset %s: line %d: %w", f.display, line, err))
			return
		}
	}
}

// readJSON yields the elements of a JSON file holding either an array of
// row objects or an object with a "rows" or "data" array (the shapes
// dataset exporters write). Each record's Line is the line where its
// element starts. A syntax error ends the iteration: after it the rest of
// the file cannot be located reliably. The file is read whole (use JSONL
// for data larger than memory); each row then costs a small multiple of
// its size, and one larger than the bound is a bad row.
func readJSON(ctx context.Context, f file, yield func(ports.Record, error) bool) {
	display := f.display
	data, err := os.ReadFile(f.path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
	}
	if bytes.HasPrefix(data, bom) {
		data = append(bytes.Repeat([]byte(" "), len(bom)), data[len(bom):]...) // keep offsets
	}
	lines := newLineIndex(data)
	fail := func(off int64, format string, args ...any) {
		yield(ports.Record{}, fmt.Errorf("dataset %s:%d: %s", display, lines.lineAt(off), fmt.Sprintf(format, args...)))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		fail(dec.InputOffset(), "invalid JSON: %v", err)
		return
	}
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		// Find the "rows" or "data" member; skip the others.
		found := false
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				fail(dec.InputOffset(), "invalid JSON: %v", err)
				return
			}
			key, _ := keyTok.(string)
			if key == "rows" || key == "data" {
				open, err := dec.Token()
				if err != nil {
					fail(dec.InputOffset(), "invalid JSON: %v", err)
					return
				}
				if open != json.Delim('[') {
					fail(dec.InputOffset(), "%q must be an array of rows", key)
					return
				}
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				fail(dec.InputOffset(), "invalid JSON: %v", err)
				return
			}
		}
		if !found {
			fail(0, `a JSON dataset must be an array of rows or an object with a "rows" (or "data") array`)
			return
		}
	default:
		fail(0, `a JSON dataset must be an array of rows or an object with a "rows" (or "data") array`)
		return
	}
	for n := 1; dec.More(); n++ {
		if n%checkEvery == 0 && ctx.Err() != nil {
			yield(ports.Record{}, ctx.Err())
			return
		}
		start := skipSeparators(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			fail(start, "invalid JSON: %v", err)
			return
		}
		rec := ports.Record{File: display, Line: lines.lineAt(start)}
		if len(raw) > f.maxRow {
			rec.Err = f.errTooLarge(len(raw))
		} else {
			rec.Fields, rec.Err = decodeObject(raw)
		}
		if !yield(rec, nil) {
			return
		}
	}
}

// skipSeparators moves off past whitespace and commas to the start of the
// next JSON value.
func skipSeparators(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int64 // offsets of line starts

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (idx lineIndex) lineAt(off int64) int {
	lo, hi := 0, len(idx)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if idx[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// readCSV yields one record per data row of a CSV file whose first row is
// the header. Every value is a string; a cell holding JSON (for example a
// "messages" column) is decoded by the row-format layer. A record larger
// than the bound is a bad row (the CSV reader holds one record at a
// time), and so is one that is not valid UTF-8.
func readCSV(ctx context.Context, f file, yield func(ports.Record, error) bool) {
	display := f.display
	fh, err := os.Open(f.path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
	}
	defer fh.Close()
	r := csv.NewReader(bufio.NewReader(fh))
	r.FieldsPerRecord = -1 // checked below, so a short row is a bad row, not the end
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return
	}
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: header: %w", display, err))
		return
	}
	if len(header) > 0 {
		header[0] = string(bytes.TrimPrefix([]byte(header[0]), []byte("\ufeff")))
	}
	seen := map[string]bool{}
	for _, h := range header {
		if seen[h] {
			yield(ports.Record{}, fmt.Errorf("dataset %s:1: duplicate column %q", display, h))
			return
		}
		seen[h] = true
	}
	for n := 1; ; n++ {
		if n%checkEvery == 0 && ctx.Err() != nil {
			yield(ports.Record{}, ctx.Err())
			return
		}
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		line, _ := r.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if !yield(ports.Record{File: display, Line: pe.StartLine, Err: fmt.Errorf("invalid CSV: %w", pe.Err)}, nil) {
				return
			}
			continue
		}
		if err != nil {
			yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
			return
		}
		rec := ports.Record{File: display, Line: line}
		size := 0
		for _, cell := range row {
			size += len(cell)
			if rec.Err == nil && !utf8.ValidString(cell) {
				rec.Err = checkText([]byte(cell))
			}
		}
		switch {
		case size > f.maxRow:
			rec.Err = f.errTooLarge(size)
		case rec.Err != nil:
		case len(row) != len(header):
			rec.Err = fmt.Errorf("row has %d fields, the header has %d", len(row), len(header))
		default:
			rec.Fields = make(map[string]any, len(row))
			for i, v := range row {
				rec.Fields[header[i]] = v
			}
		}
		if !yield(rec, nil) {
			return
		}
	}
}
