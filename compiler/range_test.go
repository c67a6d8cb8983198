package compiler

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// TestRangeBoundsAreInclusiveOrExclusive: a value exactly at an
// inclusive bound (AtLeast, AtMost) is accepted and one exactly at an
// exclusive bound (Above, Below) is out of range.
func TestRangeBoundsAreInclusiveOrExclusive(t *testing.T) {
	recipe := func(inputs string) string {
		return `
dataset "chat" {
  source = "file://chat.jsonl"
}
experiment "x" {
  stage "evaluate" "e" {
    model    = "Qwen/Qwen3-8B"
    dataset  = dataset.chat
    renderer = renderer.qwen3
    scorer   = "exact_match"
` + inputs + `
  }
}
`
	}
	for _, c := range []struct {
		inputs string
		want   []diag.Code
	}{
		{"num_samples = 1\n top_p = 1\n temperature = 0\n top_k = -1", nil}, // AtLeast(1), AtMost(1), AtLeast(0), AtLeast(-1)
		{"num_samples = 0", []diag.Code{diag.OutOfRange}},
		{"top_p = 0", []diag.Code{diag.OutOfRange}}, // Above(0)
		{"top_p = 1.0000001", []diag.Code{diag.OutOfRange}},
		{"top_k = -2", []diag.Code{diag.OutOfRange}},
	} {
		_, codes := compileSrc(t, "range.hcl", recipe(c.inputs), Options{}, true)
		require.Equal(t, c.want, codes, c.inputs)
	}
}
