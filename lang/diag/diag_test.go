package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rng(line, col, byteOff, endCol int) hcl.Range {
	return hcl.Range{Filename: "r.hcl",
		Start: hcl.Pos{Line: line, Column: col, Byte: byteOff},
		End:   hcl.Pos{Line: line, Column: endCol, Byte: byteOff + endCol - col}}
}

var src = Sources{"r.hcl": []byte("stage {\n  lr_schedule = \"cosin\"\n}\n")}

func TestWriteText(t *testing.T) {
	diags := hcl.Diagnostics{
		New(NotInEnum, rng(2, 17, 24, 24), "Invalid value for lr_schedule", `"cosin" is not valid. Did you mean "cosine"?`),
		Warning(UnusedVariable, rng(1, 1, 0, 6), "Unused variable x", "Nothing uses it."),
		{Severity: hcl.DiagError, Summary: "From hcl", Detail: "No code."},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteText(&buf, diags, src))
	want := `r.hcl:2:17: error[E202]: Invalid value for lr_schedule
  "cosin" is not valid. Did you mean "cosine"?

  2 |   lr_schedule = "cosin"
    |                 ^^^^^^^

r.hcl:1:1: warning[W100]: Unused variable x
  Nothing uses it.

  1 | stage {
    | ^^^^^

error[E999]: From hcl
  No code.

`
	assert.Equal(t, want, buf.String())
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, hcl.Diagnostics{New(NotInEnum, rng(2, 17, 24, 24), "S", "D")}))
	var got []map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.Len(t, got, 1)
	assert.Equal(t, "error", got[0]["severity"])
	assert.Equal(t, "E202", got[0]["code"])
	assert.Equal(t, "S", got[0]["summary"])
	assert.Equal(t, "D", got[0]["detail"])
	assert.NotContains(t, got[0], "type", "check's array has no type field")
	r := got[0]["range"].(map[string]any)
	assert.Equal(t, "r.hcl", r["filename"])
	assert.Equal(t, map[string]any{"line": 2.0, "column": 17.0, "byte": 24.0}, r["start"])
	assert.Equal(t, map[string]any{"line": 2.0, "column": 24.0, "byte": 31.0}, r["end"])

	buf.Reset()
	require.NoError(t, WriteJSON(&buf, nil))
	assert.Equal(t, "[]\n", buf.String())
}

func TestWriteJSONLines(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteJSONLines(&buf, hcl.Diagnostics{
		New(NotInEnum, rng(2, 17, 24, 24), "S", "D"),
		Warning(UnusedVariable, rng(3, 1, 40, 5), "W", "<unused>"),
	}))
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	require.Len(t, lines, 2, "one line per diagnostic")
	var first, second map[string]any
	require.NoError(t, json.Unmarshal(lines[0], &first))
	require.NoError(t, json.Unmarshal(lines[1], &second))
	assert.Equal(t, "diagnostic", first["type"])
	assert.Equal(t, "E202", first["code"])
	assert.Equal(t, "warning", second["severity"])
	assert.Equal(t, "<unused>", second["detail"], "no HTML escaping")
}

type otherExtra struct{ n int }

func TestCodeSurvivesOtherExtra(t *testing.T) {
	d := &hcl.Diagnostic{Summary: "x", Extra: otherExtra{7}}
	WithCode(d, Cycle)
	assert.Equal(t, Cycle, CodeOf(d))
	inner, ok := hcl.DiagnosticExtra[otherExtra](d)
	require.True(t, ok, "the original Extra is still reachable")
	assert.Equal(t, 7, inner.n)
}

func TestClassify(t *testing.T) {
	diags := hcl.Diagnostics{
		{Summary: "Unsupported argument"}, {Summary: "Unsupported block type"},
		{Summary: "Missing required argument"}, {Summary: "Something else"},
	}
	Classify(diags, EvalError)
	assert.Equal(t, []Code{UnknownAttribute, UnknownBlock, MissingAttribute, EvalError},
		[]Code{CodeOf(diags[0]), CodeOf(diags[1]), CodeOf(diags[2]), CodeOf(diags[3])})
}

func TestSuggest(t *testing.T) {
	tests := []struct{ name, want string }{
		{"cosin", "cosine"}, {"final_ckpt", "final_checkpoint"}, {"xyz", ""}, {"LINEAR", "linear"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Suggest(tc.name, []string{"constant", "linear", "cosine", "final_checkpoint", "metrics"}), tc.name)
	}
}

func TestArticle(t *testing.T) {
	for word, want := range map[string]string{
		"int": "an int", "object": "an object", "experiment": "an experiment", "string": "a string",
		"list": "a list", "user": "a user", "unknown": "an unknown", "": "",
	} {
		assert.Equal(t, want, A(word))
	}
}

// Messages of the hcl library that read badly are reworded when they are
// classified: "must have 1 labels", "Error in function call",
// "argument(s)".
func TestClassifyRewords(t *testing.T) {
	diags := hcl.Diagnostics{
		{Summary: "Missing name for dataset", Detail: "All dataset blocks must have 1 labels (name)."},
		{Summary: "Missing name for stage", Detail: "All stage blocks must have 2 labels (kind, name)."},
		{Summary: "Extraneous label for dataset", Detail: "Only 1 labels (name) are expected for dataset blocks."},
		{Summary: "Error in function call", Detail: `Call to function "jsondecode" failed: EOF.`},
		{Summary: "Too many function arguments", Detail: `Function "upper" expects only 1 argument(s).`},
		{Summary: "Not enough function arguments", Detail: `Function "split" expects 2 argument(s). Missing value for "str".`},
	}
	Classify(diags, EvalError)
	assert.Equal(t, `A dataset block needs one label, its name: dataset "NAME" { ... }.`, diags[0].Detail)
	assert.Equal(t, `A stage block needs 2 labels, its kind and its name: stage "KIND" "NAME" { ... }.`, diags[1].Detail)
	assert.Equal(t, `A dataset block takes only one label, its name: dataset "NAME" { ... }.`, diags[2].Detail)
	assert.Equal(t, "Call to jsondecode failed", diags[3].Summary)
	assert.Equal(t, `Function "upper" expects only 1 argument.`, diags[4].Detail)
	assert.Equal(t, `Function "split" expects 2 arguments. Missing value for "str".`, diags[5].Detail)
	assert.Equal(t, BadLabels, CodeOf(diags[0]))
}

// A diagnostic on a very long line shows a window of it around the
// caret, not the whole line (100,000 brackets were printed twice).
func TestSnippetWindow(t *testing.T) {
	src := []byte("x = " + strings.Repeat("[", 100_000) + "\n")
	r := hcl.Range{Filename: "r.hcl", Start: hcl.Pos{Line: 1, Column: 1006, Byte: 1005}, End: hcl.Pos{Line: 1, Column: 1007, Byte: 1006}}
	var buf strings.Builder
	require.NoError(t, WriteText(&buf, hcl.Diagnostics{New(Syntax, r, "Nesting too deep", "d")}, Sources{"r.hcl": src}))
	lines := strings.Split(buf.String(), "\n")
	var code, carets string
	for i, l := range lines {
		if strings.HasPrefix(l, "  1 | ") {
			code, carets = l, lines[i+1]
		}
	}
	assert.Less(t, len([]rune(code)), snippetWidth+20)
	assert.True(t, strings.HasPrefix(code, "  1 | …[") && strings.HasSuffix(code, "[…"), code)
	caret := strings.Index(carets, "^")
	require.Positive(t, caret)
	assert.Equal(t, "[", string([]rune(code)[len([]rune(carets[:caret]))]), "the caret is under the bracket")

	short := "x = 1\n"
	got, col, marked := window([]rune(short), 4, 1)
	assert.Equal(t, short, got)
	assert.Equal(t, 4, col)
	assert.Equal(t, 1, marked)
}
