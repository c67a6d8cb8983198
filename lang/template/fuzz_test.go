package template

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// FuzzTemplate parses arbitrary template source: no panic, every
// diagnostic inside the source's range, and a template that parses
// executes without error.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"", "plain", "{{ content }}", "<|im_start|>{{ role }}\n{{ content | trim }}<|im_end|>",
		"{{ if thinking }}<think>{{ thinking }}</think>{{ else if is_last }}x{{ else }}y{{ end }}",
		"{{ if not (index == 0) and is_first or role != \"user\" }}{{ end }}",
		"{{ \"lit\" | upper | json }}", "{{", "}}", "{{ end }}", "{{ if x }}", "a{b{{c}}d}",
		"{{ 99999999999999999999 }}", "{{ \"\\q\" }}", "{{ content | }}", "{{ ( }}",
	} {
		f.Add(s)
	}
	vars := map[string]any{"content": "c", "role": "user", "thinking": "t", "index": 3, "is_first": true, "is_last": false, "name": "n", "tool_call_id": "id"}
	f.Fuzz(func(t *testing.T, src string) {
		start := hcl.Pos{Line: 5, Column: 3, Byte: 100}
		tpl, diags := Parse(src, "f.hcl", start)
		for _, d := range diags {
			if d.Subject == nil || d.Subject.Start.Byte < start.Byte || d.Subject.End.Byte > start.Byte+len(src)+1 {
				t.Fatalf("diagnostic outside the template: %v", d)
			}
		}
		if diags.HasErrors() {
			return
		}
		if _, err := tpl.Execute(vars); err != nil {
			t.Fatalf("parsed template fails to execute: %v", err)
		}
	})
}
