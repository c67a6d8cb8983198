package renderers

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// bosTokenizer is a test fake: the byte-level tokenizer plus a BOS token,
// standing in for a Hugging Face tokenizer whose config names one.
type bosTokenizer struct {
	tokenizer.Tokenizer
	bos string
}

func (b bosTokenizer) BOS() (string, bool) { return b.bos, true }

func newBOSTokenizer(t *testing.T, bos string, specials ...string) bosTokenizer {
	t.Helper()
	tok, err := tokenizer.NewByteLevel(specials)
	if err != nil {
		t.Fatal(err)
	}
	return bosTokenizer{Tokenizer: tok, bos: bos}
}

// TestRoleColonBOS: with a tokenizer that defines a BOS, role_colon starts
// every rendering and generation prompt with it, as one special segment of
// weight 0 (even under all_tokens); the rest is unchanged, and the
// extension property still holds.
func TestRoleColonBOS(t *testing.T) {
	plain, _ := Get("role_colon")
	tok := newBOSTokenizer(t, "<s>", "<s>")
	r, err := ForTokenizer(plain, tok)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name() != "role_colon" || !reflect.DeepEqual(r.SpecialTokens(), []string{"<s>"}) || !r.ExtensionProperty() {
		t.Fatalf("bound renderer: name %q specials %q extension %v", r.Name(), r.SpecialTokens(), r.ExtensionProperty())
	}
	bos := Segment{Text: "<s>", Special: true}
	bosID, _ := tok.SpecialID("<s>")
	rendered := 0
	for _, c := range loadConversations(t) {
		for _, mode := range TrainOnModes() {
			want, err := plain.Supervised(c.Messages, mode)
			got, gotErr := r.Supervised(c.Messages, mode)
			if (err == nil) != (gotErr == nil) {
				t.Fatalf("%s %s: errors differ: %v / %v", c.Name, mode, err, gotErr)
			}
			if err != nil {
				continue
			}
			rendered++
			for i := range got {
				if got[i][0] != bos || !reflect.DeepEqual(got[i][1:], want[i]) {
					t.Errorf("%s %s: want BOS then the plain rendering:\n got  %s\n want «<s>»%s", c.Name, mode, annotate(got[i]), annotate(want[i]))
				}
				ids, weights, err := Encode(tok, got[i])
				if err != nil || ids[0] != bosID || weights[0] != 0 {
					t.Errorf("%s %s: encoded %v %v %v", c.Name, mode, ids[:1], weights[:1], err)
				}
			}
		}
		msgs := stripTrainable(c.Messages)
		for k := 1; k < len(msgs); k++ {
			gp, err := r.GenerationPrompt(msgs[:k])
			if err != nil {
				continue
			}
			if gp[0] != bos {
				t.Errorf("%s k=%d: generation prompt starts %+v", c.Name, k, gp[0])
			}
			if msgs[k].Role != "assistant" {
				continue
			}
			full, err := r.Supervised(msgs[:k+1], AllMessages)
			if err != nil {
				continue
			}
			if !IsPrefix(gp, full[0]) {
				t.Errorf("%s k=%d: generation prompt is not a prefix of the rendering", c.Name, k)
			}
			for j := k + 2; j <= len(msgs); j++ {
				if later, err := r.GenerationPrompt(msgs[:j]); err == nil && msgs[j-1].Role != "assistant" && !IsPrefix(full[0], later) {
					t.Errorf("%s: rendering of messages[:%d] is not a prefix of the prompt for messages[:%d]", c.Name, k+1, j)
				}
			}
		}
	}
	if rendered < 50 {
		t.Errorf("only %d renderings checked", rendered)
	}
}

func TestForTokenizerLeavesOthersAlone(t *testing.T) {
	byteLevel, err := tokenizer.NewByteLevel(nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := Get("role_colon")
	r, err := ForTokenizer(rc, byteLevel)
	if err != nil || len(r.SpecialTokens()) != 0 {
		t.Fatalf("byte-level tokenizer: specials %q, err %v", r.SpecialTokens(), err)
	}
	msgs := []chat.Message{{Role: "user", Content: chat.Text("hi")}}
	if gp, _ := r.GenerationPrompt(msgs); Text(gp) != "User: hi\n\nAssistant:" {
		t.Errorf("byte-level generation prompt %q", Text(gp))
	}
	// llama3 has a BOS of its own; the tokenizer's is not added twice.
	l3, _ := Get("llama3")
	tok := newBOSTokenizer(t, "<|begin_of_text|>", l3.SpecialTokens()...)
	r, err = ForTokenizer(l3, tok)
	if err != nil {
		t.Fatal(err)
	}
	if gp, _ := r.GenerationPrompt(msgs); Text(gp) != "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" {
		t.Errorf("llama3 generation prompt %q", Text(gp))
	}
	// A BOS the tokenizer cannot encode as one token is an error.
	if _, err := ForTokenizer(rc, newBOSTokenizer(t, "<bos>")); err == nil {
		t.Error("a BOS that is not a special token was accepted")
	}
}

// TestRoleColonRealTokenizers: Llama 3's tokenizer_config.json names
// <|begin_of_text|> (id 128000) as BOS, Qwen3's names none.
func TestRoleColonRealTokenizers(t *testing.T) {
	msgs := []chat.Message{{Role: "user", Content: chat.Text("hi")}, {Role: "assistant", Content: chat.Text("hello")}}
	for _, c := range []struct {
		name string
		bos  int // -1: none
	}{{"llama3", 128000}, {"qwen3", -1}} {
		base := realTokenizer(t, c.name)
		cfg, err := os.ReadFile(filepath.Join("..", "..", ".cache", "tokenizers", c.name, "tokenizer_config.json"))
		if err != nil {
			t.Skipf("no tokenizer_config.json for %s: %v", c.name, err)
		}
		tok, err := base.WithConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := Get("role_colon")
		r, err := ForTokenizer(rc, tok)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := r.Supervised(msgs, LastAssistantMessage)
		if err != nil {
			t.Fatal(err)
		}
		ids, weights, err := Encode(tok, ex[0])
		if err != nil {
			t.Fatal(err)
		}
		want := tok.Encode("User:")[0]
		if c.bos >= 0 {
			want = c.bos
		}
		if ids[0] != want || weights[0] != 0 {
			t.Errorf("%s: first id %d (%q) weight %v, want %d (%q) 0", c.name, ids[0], tok.Decode(ids[:1]), weights[0], want, tok.Decode([]int{want}))
		}
	}
}
