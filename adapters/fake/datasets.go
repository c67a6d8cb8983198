package fake

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// DatasetStore is the fake dataset_store: a test fake that ignores the
// dataset's source and yields Rows synthetic rows in one row format
// (messages by default) that stdlib/data reads. Each row is a small
// arithmetic exchange whose numbers derive from the row index and the
// split, so different splits hold different rows. With BadEvery > 0 every
// BadEvery-th row is a decoding error, for skip_bad_rows tests.
type DatasetStore struct {
	Rows     int
	Format   string
	BadEvery int
}

// RowFormats are the formats the fake dataset store can emit.
var RowFormats = []string{"messages", "prompt_completion", "instruction", "input_output", "question_answer"}

// Open yields the rows.
func (d *DatasetStore) Open(ctx context.Context, ref ports.DatasetRef) (iter.Seq2[ports.Record, error], error) {
	format := d.Format
	if format == "" {
		format = "messages"
	}
	known := false
	for _, f := range RowFormats {
		known = known || f == format
	}
	if !known {
		return nil, ports.Wrap("dataset_store", Name, "open", fmt.Errorf("unknown row format %q", format))
	}
	file := "fake://" + ref.Source
	offset := int(mix(uint64(len(ref.Split))) % 50)
	return func(yield func(ports.Record, error) bool) {
		for i := 0; i < d.Rows; i++ {
			if err := ctx.Err(); err != nil {
				yield(ports.Record{}, err)
				return
			}
			rec := ports.Record{File: file, Line: i + 1}
			if d.BadEvery > 0 && (i+1)%d.BadEvery == 0 {
				rec.Err = errors.New("invalid JSON (injected by the fake dataset store)")
			} else {
				rec.Fields = row(format, i+offset)
			}
			if !yield(rec, nil) {
				return
			}
		}
	}, nil
}

func row(format string, i int) map[string]any {
	a, b := i%17+1, (i*7)%13+2
	q := fmt.Sprintf("What is %d + %d?", a, b)
	ans := fmt.Sprintf("%d + %d = %d.", a, b, a+b)
	switch format {
	case "prompt_completion":
		return map[string]any{"prompt": q, "completion": ans}
	case "instruction":
		return map[string]any{"instruction": "Add the numbers.", "input": fmt.Sprintf("%d and %d", a, b), "output": ans}
	case "input_output":
		return map[string]any{"input": q, "output": ans}
	case "question_answer":
		return map[string]any{"question": q, "answer": fmt.Sprintf("%d + %d = %d\n#### %d", a, b, a+b, a+b)}
	default:
		return map[string]any{"messages": []any{
			map[string]any{"role": "user", "content": q},
			map[string]any{"role": "assistant", "content": ans},
		}}
	}
}
