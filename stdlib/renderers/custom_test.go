package renderers

import (
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

func chatML() *ir.Renderer {
	msg := func(role string) ir.MessageTemplate {
		return ir.MessageTemplate{
			Header: ir.Template{Source: "<|im_start|>" + role + "\n", Start: ir.Pos{Line: 3, Column: 5}},
			Output: ir.Template{Source: "{{ content }}<|im_end|>\n", Start: ir.Pos{Line: 3, Column: 30}},
		}
	}
	return &ir.Renderer{
		Name:             "my_chatml",
		Messages:         map[string]ir.MessageTemplate{"system": msg("system"), "user": msg("user"), "assistant": msg("assistant")},
		GenerationPrefix: ir.Template{Source: "<|im_start|>assistant\n"},
		Stop:             []string{"<|im_end|>", "\nUser:"},
		SpecialTokens:    []string{"<|im_start|>", "<|im_end|>"},
		Range:            ir.Range{Filename: "recipe.hcl"},
	}
}

func TestCustomRenderer(t *testing.T) {
	r, err := FromIR(chatML())
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{
		{Role: "user", Content: chat.Text("say <|im_end|>")},
		{Role: "assistant", Content: chat.Text("<|im_end|>")},
	}
	ex, err := r.Supervised(msgs, LastAssistantMessage)
	if err != nil {
		t.Fatal(err)
	}
	want := "«<|im_start|>»user\nsay <|im_end|>«<|im_end|>»\n«<|im_start|>»assistant\n⟦<|im_end|>«<|im_end|>»\n⟧"
	if got := annotate(ex[0]); got != want {
		t.Errorf("rendering\n got  %q\n want %q", got, want)
	}
	gp, err := r.GenerationPrompt(msgs[:1])
	if err != nil || !IsPrefix(gp, ex[0]) {
		t.Errorf("generation prompt %q (%v) not a prefix", Text(gp), err)
	}
	if !r.ExtensionProperty() || r.Name() != "my_chatml" {
		t.Errorf("extension %v name %q", r.ExtensionProperty(), r.Name())
	}
	st := r.Stop()
	if len(st.Tokens) != 1 || st.Tokens[0] != "<|im_end|>" || len(st.Strings) != 1 {
		t.Errorf("stop %+v", st)
	}
	m, term := r.ParseResponse([]tokenizer.Piece{{Text: "fine <|im_end|>"}, {Text: "<|im_end|>", Special: true}})
	if m.Content.Text() != "fine <|im_end|>" || term != TerminatedStop {
		t.Errorf("parse %q %s", m.Content.Text(), term)
	}
	m, term = r.ParseResponse([]tokenizer.Piece{{Text: "ok\nUser: more"}})
	if m.Content.Text() != "ok" || term != TerminatedStop {
		t.Errorf("string stop: %q %s", m.Content.Text(), term)
	}
	if _, err := r.Supervised([]chat.Message{{Role: "tool", Content: chat.Text("x")}}, AllMessages); err == nil || !strings.Contains(err.Error(), `role "tool"`) {
		t.Errorf("missing role: %v", err)
	}
}

func TestCustomRendererIsLastDisablesExtension(t *testing.T) {
	def := chatML()
	mt := def.Messages["assistant"]
	mt.Output.Source = "{{ content }}{{ if is_last }}<|im_end|>{{ end }}"
	def.Messages["assistant"] = mt
	r, err := FromIR(def)
	if err != nil {
		t.Fatal(err)
	}
	if r.ExtensionProperty() {
		t.Error("a template using is_last cannot promise the extension property")
	}
}

func TestCustomRendererTemplateError(t *testing.T) {
	def := chatML()
	def.GenerationPrefix.Source = "{{ if }}"
	if _, err := FromIR(def); err == nil || !strings.Contains(err.Error(), "recipe.hcl") {
		t.Errorf("err = %v", err)
	}
	if _, err := FromIR(nil); err == nil {
		t.Error("nil accepted")
	}
}

// A custom renderer renders exactly the roles of its message blocks, its
// own ("developer") included; others are errors with a did-you-mean.
func TestCustomRendererRoles(t *testing.T) {
	def := chatML()
	def.Messages["developer"] = def.Messages["system"]
	r, err := FromIR(def)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Roles(), ","); got != "assistant,developer,system,user" {
		t.Errorf("roles %s", got)
	}
	msgs := []chat.Message{{Role: "developer", Content: chat.Text("rules")}, {Role: "user", Content: chat.Text("q")}}
	if _, err := r.GenerationPrompt(msgs); err != nil {
		t.Errorf("its own role: %v", err)
	}
	msgs[1].Role = "tool"
	if _, err := r.GenerationPrompt(msgs); err == nil || !strings.Contains(err.Error(), `unknown role "tool"`) {
		t.Errorf("a role it has no block for: %v", err)
	}
}
