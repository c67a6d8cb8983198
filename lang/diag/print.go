package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Sources maps a filename to its bytes, for snippets. hclparse.Parser's
// Sources method returns one; missing files just print without a snippet.
type Sources map[string][]byte

// WriteText prints diags in the text format:
//
//	file:line:col: error[CODE]: summary
//	  detail
//
//	   12 |     lr_schedule = "cosin"
//	      |                   ^^^^^^^
func WriteText(w io.Writer, diags hcl.Diagnostics, src Sources) error {
	var buf bytes.Buffer
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		code := CodeOf(d)
		if code == "" {
			code = HCLNative
		}
		if d.Subject != nil {
			fmt.Fprintf(&buf, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		fmt.Fprintf(&buf, "%s[%s]: %s\n", sev, code, d.Summary)
		if d.Detail != "" {
			for _, line := range strings.Split(d.Detail, "\n") {
				fmt.Fprintf(&buf, "  %s\n", line)
			}
		}
		if d.Subject != nil {
			writeSnippet(&buf, *d.Subject, src[d.Subject.Filename])
		}
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeSnippet prints the first line of r with r underlined by carets.
func writeSnippet(buf *bytes.Buffer, r hcl.Range, src []byte) {
	if src == nil || r.Start.Byte < 0 || r.Start.Byte > len(src) {
		return
	}
	lineStart := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[r.Start.Byte:], '\n'); i >= 0 {
		lineEnd = r.Start.Byte + i
	}
	line := strings.TrimRight(string(src[lineStart:lineEnd]), "\r")
	end := r.End.Byte
	if end > lineEnd || r.End.Line != r.Start.Line {
		end = lineEnd
	}
	if end < r.Start.Byte {
		end = r.Start.Byte
	}
	prefix := expandTabs(string(src[lineStart:r.Start.Byte]))
	marked := utf8.RuneCountInString(expandTabs(string(src[r.Start.Byte:end])))
	if marked == 0 {
		marked = 1
	}
	shown, col, marked := window([]rune(expandTabs(line)), utf8.RuneCountInString(prefix), marked)
	gutter := fmt.Sprintf("%d", r.Start.Line)
	pad := strings.Repeat(" ", len(gutter))
	fmt.Fprintf(buf, "\n  %s | %s\n", gutter, shown)
	fmt.Fprintf(buf, "  %s | %s%s\n", pad, strings.Repeat(" ", col), strings.Repeat("^", marked))
}

// snippetWidth bounds the characters of a source line a snippet shows:
// a diagnostic on a line of 100,000 brackets printed all of them twice.
const snippetWidth = 160

// window returns the part of line a snippet shows, with the caret column
// and caret count adjusted to it: the whole line when it fits, else
// snippetWidth characters around the caret, elided with "…" on either
// side.
func window(line []rune, col, marked int) (string, int, int) {
	if len(line) <= snippetWidth {
		return string(line), col, marked
	}
	start := max(0, min(col-snippetWidth/3, len(line)-snippetWidth))
	end := min(len(line), start+snippetWidth)
	shown := string(line[start:end])
	col -= start
	marked = max(1, min(marked, end-start-col))
	if start > 0 {
		shown, col = "…"+shown, col+1
	}
	if end < len(line) {
		shown += "…"
	}
	return shown, col, marked
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// jsonPos and friends are the JSON shape of a diagnostic; field names are
// part of the CLI's stable output format (SPEC.md §8).
type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiag struct {
	// Type is "diagnostic" in JSON lines (WriteJSONLines), where
	// diagnostics share a stream with events; absent in WriteJSON.
	Type     string     `json:"type,omitempty"`
	Severity string     `json:"severity"`
	Code     Code       `json:"code"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *jsonRange `json:"range"`
}

// WriteJSON prints diags as a JSON array of objects with severity, code,
// summary, detail and range (filename, start and end line/column/byte).
// An empty list prints [].
func WriteJSON(w io.Writer, diags hcl.Diagnostics) error {
	out := make([]jsonDiag, 0, len(diags))
	for _, d := range diags {
		out = append(out, toJSON(d))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// WriteJSONLines prints each diagnostic as one JSON object on its own line,
// with "type": "diagnostic" added, for streams of JSON lines such as
// `cookbookc run --json`.
func WriteJSONLines(w io.Writer, diags hcl.Diagnostics) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, d := range diags {
		j := toJSON(d)
		j.Type = "diagnostic"
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

func toJSON(d *hcl.Diagnostic) jsonDiag {
	j := jsonDiag{Severity: "error", Code: CodeOf(d), Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		j.Severity = "warning"
	}
	if j.Code == "" {
		j.Code = HCLNative
	}
	if r := d.Subject; r != nil {
		j.Range = &jsonRange{
			Filename: r.Filename,
			Start:    jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
			End:      jsonPos{r.End.Line, r.End.Column, r.End.Byte},
		}
	}
	return j
}

// Count returns the number of errors and warnings in diags.
func Count(diags hcl.Diagnostics) (errors, warnings int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}
