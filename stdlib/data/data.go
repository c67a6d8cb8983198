// Package data turns a dataset block into conversations: it reads the
// rows through the dataset_store port, converts each row format
// (messages, prompt/completion, instruction/input/output, input/output,
// question/answer) to chat messages, handles bad rows (fail on the first,
// naming file:line, or skip and count), carves a deterministic test split
// and gives each epoch a deterministic shuffle.
package data

import (
	"context"
	"fmt"
	"math"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/chat"
)

// Example is one conversation and the row it came from.
type Example struct {
	File     string
	Line     int
	Messages []chat.Message
}

// Where names the example's row as file:line.
func (e Example) Where() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// RowError is a row that could not be read or converted.
type RowError struct {
	File string
	Line int
	Err  error
}

// Error implements error: "file:line: reason".
func (e *RowError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns the reason.
func (e *RowError) Unwrap() error { return e.Err }

// Options adjusts Load.
type Options struct {
	// PromptOnly accepts rows without a reply (prompts to sample from).
	PromptOnly bool
	// Roles are the message roles the stage's renderer renders; a
	// message with another role is a bad row. nil means chat.Roles.
	Roles []string
}

// Dataset is a loaded dataset.
type Dataset struct {
	Name string
	// Format is the row format used (detected when the block says auto).
	Format string
	Train  []Example
	Test   []Example
	// Skipped counts bad rows skipped under skip_bad_rows; FirstSkipped
	// describes the first of them.
	Skipped      int
	FirstSkipped *RowError
}

// Split returns the examples of a split: "train", "test" or "all" (train
// then test, in stored shuffled order).
func (d *Dataset) Split(name string) ([]Example, error) {
	switch name {
	case "train":
		return d.Train, nil
	case "test":
		return d.Test, nil
	case "all", "":
		out := make([]Example, 0, len(d.Train)+len(d.Test))
		return append(append(out, d.Train...), d.Test...), nil
	}
	return nil, fmt.Errorf("unknown split %q (want train, test or all)", name)
}

// Load reads a dataset block's rows. baseDir resolves relative sources
// (the recipe's directory). Every row is read and converted before Load
// returns, so a dataset with bad rows fails before any training starts.
func Load(ctx context.Context, store ports.DatasetStore, ds ir.Dataset, baseDir string, opts Options) (*Dataset, error) {
	fileFormat := ds.FileFormat
	if fileFormat == "" {
		fileFormat = "auto"
	}
	rows, err := store.Open(ctx, ports.DatasetRef{Source: ds.Source, FileFormat: fileFormat, Split: ds.Split, BaseDir: baseDir,
		MaxRowBytes: ds.MaxRowBytes})
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", ds.Name, err)
	}
	out := &Dataset{Name: ds.Name, Format: ds.Format}
	if out.Format == "" {
		out.Format = FormatAuto
	}
	var all []Example
	bad := func(rec ports.Record, err error) error {
		re := &RowError{File: rec.File, Line: rec.Line, Err: err}
		if !ds.SkipBadRows {
			return fmt.Errorf("dataset %q: %w (set skip_bad_rows = true to skip bad rows)", ds.Name, re)
		}
		out.Skipped++
		if out.FirstSkipped == nil {
			out.FirstSkipped = re
		}
		return nil
	}
	n := 0
	for rec, err := range rows {
		if err != nil {
			return nil, fmt.Errorf("dataset %q: %w", ds.Name, err)
		}
		if ds.Limit > 0 && n >= ds.Limit {
			break
		}
		n++
		if rec.Err != nil {
			if err := bad(rec, rec.Err); err != nil {
				return nil, err
			}
			continue
		}
		if out.Format == FormatAuto {
			f, ok := Detect(rec.Fields, opts.PromptOnly)
			if !ok {
				re := &RowError{File: rec.File, Line: rec.Line, Err: noFormatError(rec.Fields)}
				return nil, fmt.Errorf("dataset %q: %w (or set the dataset's format)", ds.Name, re)
			}
			out.Format = f
		}
		msgs, err := ToMessages(out.Format, rec.Fields, opts)
		if err != nil {
			if err := bad(rec, err); err != nil {
				return nil, err
			}
			continue
		}
		all = append(all, Example{File: rec.File, Line: rec.Line, Messages: msgs})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("dataset %q (%s) has no usable rows", ds.Name, ds.Source)
	}
	nTest, err := testCount(ds, len(all))
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", ds.Name, err)
	}
	if nTest > 0 {
		// Shuffle before splitting so the test split is a random sample,
		// not the file's last (or first) rows.
		order := Permutation(len(all), ds.ShuffleSeed, splitStream)
		shuffled := make([]Example, len(all))
		for i, j := range order {
			shuffled[i] = all[j]
		}
		out.Test, out.Train = shuffled[:nTest], shuffled[nTest:]
	} else {
		out.Train = all
	}
	return out, nil
}

// testCount returns the size of the test split.
func testCount(ds ir.Dataset, n int) (int, error) {
	k := 0
	switch {
	case ds.TestSize > 0:
		k = ds.TestSize
	case ds.TestFraction > 0:
		k = int(math.Round(ds.TestFraction * float64(n)))
		if k == 0 {
			k = 1
		}
	default:
		return 0, nil
	}
	if k >= n {
		return 0, fmt.Errorf("the test split (%d rows) would take all %d usable rows, leaving none to train on", k, n)
	}
	return k, nil
}
