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

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// checkEvery is how many rows are read between context checks.
const checkEvery = 256

// decodeObject decodes one JSON value that must be an object.
func decodeObject(data []byte) (map[string]any, error) {
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

// readJSONL yields one record per non-blank line.
func readJSONL(ctx context.Context, path, display string, yield func(ports.Record, error) bool) {
	f, err := os.Open(path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for line := 1; ; line++ {
		if line%checkEvery == 0 && ctx.Err() != nil {
			yield(ports.Record{}, ctx.Err())
			return
		}
		data, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(data)) > 0 {
			rec := ports.Record{File: display, Line: line}
			rec.Fields, rec.Err = decodeObject(data)
			if !yield(rec, nil) {
				return
			}
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			yield(ports.Record{}, fmt.Errorf("dataset %s: line %d: %w", display, line, err))
			return
		}
	}
}

// readJSON yields the elements of a JSON file holding either an array of
// row objects or an object with a "rows" or "data" array (the shapes
// dataset exporters write). Each record's Line is the line where its
// element starts. A syntax error ends the iteration: after it the rest of
// the file cannot be located reliably.
func readJSON(ctx context.Context, path, display string, yield func(ports.Record, error) bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
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
		rec.Fields, rec.Err = decodeObject(raw)
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
// "messages" column) is decoded by the row-format layer.
func readCSV(ctx context.Context, path, display string, yield func(ports.Record, error) bool) {
	f, err := os.Open(path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
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
		if len(row) != len(header) {
			rec.Err = fmt.Errorf("row has %d fields, the header has %d", len(row), len(header))
		} else {
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
