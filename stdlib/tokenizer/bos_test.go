package tokenizer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// template is a TemplateProcessing post-processor putting bos first.
func template(bos string) map[string]any {
	return map[string]any{"type": "TemplateProcessing",
		"single": []any{
			map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}},
			map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}},
		},
		"special_tokens": map[string]any{bos: map[string]any{"id": bos, "ids": []int{300}, "tokens": []string{bos}}},
	}
}

func TestBOSFromPostProcessor(t *testing.T) {
	cases := []struct {
		name string
		pp   any
		want string
	}{
		{"none", nil, ""},
		{"byte level", map[string]any{"type": "ByteLevel", "add_prefix_space": false}, ""},
		{"template", template("<s>"), "<s>"},
		{"sequence", map[string]any{"type": "Sequence", "processors": []any{
			map[string]any{"type": "ByteLevel"}, template("<s>")}}, "<s>"},
		{"template without a leading token", map[string]any{"type": "TemplateProcessing",
			"single": []any{map[string]any{"Sequence": map[string]any{"id": "A"}}}}, ""},
	}
	for _, c := range cases {
		tok := tinyTokenizer(t, func(m map[string]any) { m["post_processor"] = c.pp })
		got, ok := tok.BOS()
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: BOS() = %q, %v; want %q", c.name, got, ok, c.want)
		}
		if b, _ := BOS(tok); b != c.want {
			t.Errorf("%s: tokenizer.BOS = %q", c.name, b)
		}
	}
	bad := map[string]any{"type": "TemplateProcessing", "single": []any{
		map[string]any{"SpecialToken": map[string]any{"id": "<bos>"}}}}
	m := tinyMap(t)
	m["post_processor"] = bad
	if _, err := Parse(marshal(t, m), "x"); err == nil || !strings.Contains(err.Error(), "<bos>") {
		t.Errorf("a BOS that is not an added token: err = %v", err)
	}
}

func TestBOSFromConfig(t *testing.T) {
	plain := tinyTokenizer(t, nil)
	withPP := tinyTokenizer(t, func(m map[string]any) { m["post_processor"] = template("<s>") })
	cases := []struct {
		name   string
		tok    *HF
		config string
		want   string
		err    string
	}{
		{"string", plain, `{"bos_token": "<s>"}`, "<s>", ""},
		{"added token object", plain, `{"bos_token": {"content": "<s>x", "lstrip": false}}`, "<s>x", ""},
		{"null overrides the post-processor", withPP, `{"bos_token": null, "eos_token": "<s>"}`, "", ""},
		{"absent keeps the post-processor's", withPP, `{"eos_token": "<s>"}`, "<s>", ""},
		{"absent, none", plain, `{}`, "", ""},
		{"not an added token", plain, `{"bos_token": "<bos>"}`, "", "not an added token"},
		{"wrong type", plain, `{"bos_token": 3}`, "", "want a string"},
		{"not json", plain, `{`, "", "tokenizer_config.json"},
	}
	for _, c := range cases {
		got, err := c.tok.WithConfig([]byte(c.config))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if bos, _ := got.BOS(); bos != c.want {
			t.Errorf("%s: BOS = %q, want %q", c.name, bos, c.want)
		}
	}
	// WithConfig copies: the cached tokenizer keeps its own BOS.
	if bos, _ := withPP.BOS(); bos != "<s>" {
		t.Errorf("WithConfig changed the original: %q", bos)
	}
}

func TestByteLevelHasNoBOS(t *testing.T) {
	tok, err := NewByteLevel([]string{"<s>"})
	if err != nil {
		t.Fatal(err)
	}
	if bos, ok := BOS(tok); ok || bos != "" {
		t.Fatalf("byte-level BOS = %q, %v", bos, ok)
	}
}

// listHub is a test fake of ports.HubClient: dirHub with a file listing
// and a download failure for chosen files.
type listHub struct {
	dirHub
	listed []string
	fail   map[string]bool
}

func (h *listHub) Download(ctx context.Context, repo, filename, revision string) (string, error) {
	if h.fail[filename] {
		return "", errors.New("503: service unavailable")
	}
	return h.dirHub.Download(ctx, repo, filename, revision)
}

func (h *listHub) ListFiles(context.Context, string, string) ([]string, error) { return h.listed, nil }

func TestLoadReadsBOSFromConfig(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "org", "base")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := tinyMap(t)
	m["post_processor"] = template("<s>x")
	write("tokenizer.json", string(marshal(t, m)))
	ctx := context.Background()

	// No tokenizer_config.json in the repository: the post-processor's.
	hub := &listHub{dirHub: dirHub{dir: dir}, listed: []string{"tokenizer.json"}}
	tok, err := Load(ctx, hub, "org/base", nil)
	if err != nil {
		t.Fatal(err)
	}
	if bos, _ := BOS(tok); bos != "<s>x" {
		t.Errorf("without a config: BOS %q, want the post-processor's <s>x", bos)
	}
	// The config's bos_token wins.
	write("tokenizer_config.json", `{"bos_token": "<s>"}`)
	hub.listed = append(hub.listed, "tokenizer_config.json")
	if tok, err = Load(ctx, hub, "org/base", nil); err != nil {
		t.Fatal(err)
	}
	if bos, _ := BOS(tok); bos != "<s>" {
		t.Errorf("with a config: BOS %q, want <s>", bos)
	}
	// A listed config that cannot be downloaded is an error, not a
	// silent change of BOS.
	hub.fail = map[string]bool{"tokenizer_config.json": true}
	if _, err := Load(ctx, hub, "org/base", nil); err == nil || !strings.Contains(err.Error(), "tokenizer_config.json") {
		t.Errorf("failed config download: err = %v", err)
	}
}
