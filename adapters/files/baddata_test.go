package files

import (
	"bufio"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// summary renders records as "line:input" or "line:!error".
func summary(recs []ports.Record) []string {
	var out []string
	for _, r := range recs {
		if r.Err != nil {
			out = append(out, itoa(r.Line)+":!"+r.Err.Error())
			continue
		}
		in, _ := r.Fields["input"].(string)
		out = append(out, itoa(r.Line)+":"+in)
	}
	return out
}

func itoa(n int) string { return fmt.Sprint(n) }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Files from Windows editors start with a byte order mark: JSONL failed
// with "invalid character 'ï'" (CSV already accepted it); JSON too.
func TestByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bom.jsonl", "\ufeff{\"input\": \"x\"}\n{\"input\": \"y\"}\n")
	write(t, dir, "bom.json", "\ufeff[\n  {\"input\": \"x\"}\n]\n")
	for file, want := range map[string][]string{"bom.jsonl": {"1:x", "2:y"}, "bom.json": {"2:x"}} {
		recs, err := collect(t, &Store{}, ports.DatasetRef{Source: file, BaseDir: dir})
		require.NoError(t, err, file)
		assert.Equal(t, want, summary(recs), file)
	}
}

// Invalid UTF-8 was silently replaced by U+FFFD by the JSON decoder: the
// model trained on text that is not in the file. It is a bad row naming
// its line (skip_bad_rows skips and counts it).
func TestInvalidUTF8IsABadRow(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "u.jsonl", "{\"input\": \"ok\"}\n{\"input\": \"caf\xe9\"}\n{\"input\": \"fine\"}\n")
	write(t, dir, "u.json", "[\n  {\"input\": \"ok\"},\n  {\"input\": \"\xff\"}\n]\n")
	write(t, dir, "u.csv", "input,output\nok,1\n\xc3x,2\n")
	for file, want := range map[string][]string{
		"u.jsonl": {"1:ok", "2:!invalid UTF-8: byte 0xe9 at column 15 (re-encode the file as UTF-8)", "3:fine"},
		"u.json":  {"2:ok", "3:!invalid UTF-8: byte 0xff at column 12 (re-encode the file as UTF-8)"},
		"u.csv":   {"2:ok", "3:!invalid UTF-8: byte 0xc3 at column 1 (re-encode the file as UTF-8)"},
	} {
		recs, err := collect(t, &Store{}, ports.DatasetRef{Source: file, BaseDir: dir})
		require.NoError(t, err, file)
		assert.Equal(t, want, summary(recs), file)
	}
}

// A row larger than max_row_bytes is a bad row with a clear error, in
// every format, and the rows after it are read.
func TestRowSizeBound(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("a", 100)
	write(t, dir, "big.jsonl", "{\"input\": \"x\"}\n{\"input\": \""+big+"\"}\n{\"input\": \"y\"}")
	write(t, dir, "big.json", "[{\"input\": \"x\"},\n{\"input\": \""+big+"\"}]")
	write(t, dir, "big.csv", "input\nx\n"+big+"\ny\n")
	tooLarge := "row is %d bytes, more than max_row_bytes (50); raise the dataset's max_row_bytes to read it"
	for file, want := range map[string][]string{
		"big.jsonl": {"1:x", "2:!" + sprintf(tooLarge, 113), "3:y"},
		"big.json":  {"1:x", "2:!" + sprintf(tooLarge, 113)},
		"big.csv":   {"2:x", "3:!" + sprintf(tooLarge, 100), "4:y"},
	} {
		recs, err := collect(t, &Store{}, ports.DatasetRef{Source: file, BaseDir: dir, MaxRowBytes: 50})
		require.NoError(t, err, file)
		assert.Equal(t, want, summary(recs), file)
	}
}

// readLine keeps lines up to the bound, whatever the buffer size and
// whether the last line ends with a newline.
func TestReadLine(t *testing.T) {
	for _, tc := range []struct {
		in    string
		max   int
		lines []string // "!" marks a line too long
	}{
		{"abc\nde\n", 3, []string{"abc", "de"}},
		{"abcd\nde", 3, []string{"!", "de"}},
		{"abc", 3, []string{"abc"}},
		{"abcd", 3, []string{"!"}},
		{strings.Repeat("x", 40) + "\nok\n", 39, []string{"!", "ok"}},
		{strings.Repeat("x", 40) + "\nok\n", 40, []string{strings.Repeat("x", 40), "ok"}},
	} {
		r := bufio.NewReaderSize(strings.NewReader(tc.in), 16) // smaller than the lines
		var got []string
		for {
			line, _, tooLong, err := readLine(r, tc.max)
			switch {
			case tooLong:
				got = append(got, "!")
			case len(line) > 0:
				got = append(got, string(line))
			}
			if err != nil {
				break
			}
		}
		assert.Equal(t, tc.lines, got, "%q max %d", tc.in, tc.max)
	}
}

// A 40 MB row cost 2.1 GB. Over the bound it is skipped without being
// held: reading a file with one 40 MB line allocates a few buffers, not
// the line.
func TestHugeRowIsNotHeld(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "huge.jsonl", "{\"input\": \""+strings.Repeat("a", 40<<20)+"\"}\n{\"input\": \"y\"}\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	seq, err := ReadFile(context.Background(), dir+"/huge.jsonl", "huge.jsonl", "jsonl", 1<<20)
	require.NoError(t, err)
	var got []ports.Record
	for rec, err := range seq {
		require.NoError(t, err)
		got = append(got, rec)
	}
	runtime.ReadMemStats(&after)
	assert.Equal(t, []string{"1:!" + sprintf("row is %d bytes, more than max_row_bytes (1048576); raise the dataset's max_row_bytes to read it", 40<<20+13), "2:y"}, summary(got))
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "the 40 MB line is not kept")
}
