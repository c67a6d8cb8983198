package files

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// parquetBatch is how many rows are decoded per read.
const parquetBatch = 128

// readParquet yields the rows of a Parquet file; Line is the 1-based row
// number. Values are normalised through JSON so that rows look exactly as
// they would had they come from a JSONL file (numbers as float64, lists
// as []any, groups as map[string]any).
func readParquet(ctx context.Context, pq file, yield func(ports.Record, error) bool) {
	path, display := pq.path, pq.display
	f, err := os.Open(path)
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: %w", display, err))
		return
	}
	pf, err := decoding(func() (*parquet.File, error) { return parquet.OpenFile(f, st.Size()) })
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: not a readable Parquet file: %w", display, err))
		return
	}
	r, err := decoding(func() (*parquet.GenericReader[map[string]any], error) {
		return parquet.NewGenericReader[map[string]any](pf, pf.Schema()), nil
	})
	if err != nil {
		yield(ports.Record{}, fmt.Errorf("dataset %s: not a readable Parquet file: %w", display, err))
		return
	}
	defer r.Close()
	row := 0
	buf := make([]map[string]any, parquetBatch)
	for {
		if ctx.Err() != nil {
			yield(ports.Record{}, ctx.Err())
			return
		}
		for i := range buf {
			buf[i] = map[string]any{}
		}
		n, err := decoding(func() (int, error) { return r.Read(buf) })
		for _, raw := range buf[:n] {
			row++
			rec := ports.Record{File: display, Line: row}
			rec.Fields, rec.Err = normalise(raw, pq)
			if !yield(rec, nil) {
				return
			}
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			yield(ports.Record{}, fmt.Errorf("dataset %s: row %d: %w", display, row+1, err))
			return
		}
		if n == 0 {
			return
		}
	}
}

// decoding runs a call into the Parquet decoder, which may panic on files
// corrupt in ways its checks miss: a bad file must be an error, never a
// crash. Only the decoder runs under the recover, never the caller's loop
// body (a panic there is the caller's and must propagate).
func decoding[T any](call func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt Parquet file: %v", r)
		}
	}()
	return call()
}

// normalise re-decodes a row through JSON.
func normalise(raw map[string]any, pq file) (map[string]any, error) {
	if err := checkStrings(raw); err != nil {
		return nil, err
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("row cannot be represented as JSON: %w", err)
	}
	if len(data) > pq.maxRow {
		return nil, pq.errTooLarge(len(data))
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("row cannot be represented as JSON: %w", err)
	}
	return out, nil
}

// checkStrings refuses a row holding a string that is not valid UTF-8,
// which json.Marshal would silently replace with U+FFFD.
func checkStrings(v any) error {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return checkText([]byte(x))
		}
	case map[string]any:
		for k, e := range x {
			if !utf8.ValidString(k) {
				return checkText([]byte(k))
			}
			if err := checkStrings(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkStrings(e); err != nil {
				return err
			}
		}
	}
	return nil
}
