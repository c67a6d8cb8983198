package renderers

import (
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// TestCustomRendererSpecialTokensInTemplates: literal template text is
// cut into special tokens at the earliest match, the longest token
// winning where two start at the same place ("<s>x" over "<s>", however
// the recipe orders them), with the text between kept as text.
func TestCustomRendererSpecialTokensInTemplates(t *testing.T) {
	def := chatML()
	def.SpecialTokens = []string{"<s>", "<|im_start|>", "<|im_end|>", "<s>x"}
	def.BOS = "<s>x<s>"
	mt := def.Messages["user"]
	mt.Header.Source = "<|im_start|>user<s>\n"
	def.Messages["user"] = mt
	r, err := FromIR(def)
	if err != nil {
		t.Fatal(err)
	}
	gp, err := r.GenerationPrompt([]chat.Message{{Role: "user", Content: chat.Text("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	want := "«<s>x»«<s>»«<|im_start|>»user«<s>»\nhi«<|im_end|>»\n«<|im_start|>»assistant\n"
	if got := annotate(gp); got != want {
		t.Errorf("generation prompt\n got  %q\n want %q", got, want)
	}
}

// TestCustomRendererTemplateVariables: templates see each message's
// index, is_first and is_last, and the generation prefix sees the index
// of the message it starts (is_first only for an empty conversation).
func TestCustomRendererTemplateVariables(t *testing.T) {
	def := chatML()
	for role, mt := range def.Messages {
		mt.Output.Source = "{{ content }}[{{ index }}{{ if is_first }} first{{ end }}{{ if is_last }} last{{ end }}]<|im_end|>\n"
		def.Messages[role] = mt
	}
	def.GenerationPrefix.Source = "<|im_start|>assistant {{ index }}{{ if is_first }} first{{ end }}{{ if is_last }} last{{ end }}\n"
	r, err := FromIR(def)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{
		{Role: "system", Content: chat.Text("s")},
		{Role: "user", Content: chat.Text("u")},
		{Role: "assistant", Content: chat.Text("a")},
	}
	ex, err := r.Supervised(msgs, AllMessages)
	if err != nil {
		t.Fatal(err)
	}
	want := "system\ns[0 first]<|im_end|>\n<|im_start|>user\nu[1]<|im_end|>\n<|im_start|>assistant\na[2 last]<|im_end|>\n"
	if got := Text(ex[0]); got != "<|im_start|>"+want {
		t.Errorf("rendering\n got  %q\n want %q", got, "<|im_start|>"+want)
	}
	for _, c := range []struct {
		msgs []chat.Message
		tail string
	}{
		{nil, "<|im_start|>assistant 0 first last\n"},
		{msgs[:2], "<|im_start|>assistant 2 last\n"},
	} {
		gp, err := r.GenerationPrompt(c.msgs)
		if err != nil {
			t.Fatal(err)
		}
		if got := Text(gp); len(got) < len(c.tail) || got[len(got)-len(c.tail):] != c.tail {
			t.Errorf("generation prompt of %d messages %q, want it to end with %q", len(c.msgs), got, c.tail)
		}
	}
}

// TestCustomRendererStopStrings: of several stop strings the earliest in
// the response ends it, even at its very start; a stop token ends it
// first; without stop tokens, a response with no stop string ended
// cleanly.
func TestCustomRendererStopStrings(t *testing.T) {
	def := chatML()
	def.Stop = []string{"\nUser:", "END", "<|im_end|>"}
	r, err := FromIR(def)
	if err != nil {
		t.Fatal(err)
	}
	noTokens := chatML()
	noTokens.Stop = []string{"\nUser:", "END"}
	rs, err := FromIR(noTokens)
	if err != nil {
		t.Fatal(err)
	}
	txt := func(s string) tokenizer.Piece { return tokenizer.Piece{Text: s} }
	for _, c := range []struct {
		r      Renderer
		pieces []tokenizer.Piece
		text   string
		term   Termination
	}{
		{r, []tokenizer.Piece{txt("a END b\nUser: c")}, "a ", TerminatedStop},
		{r, []tokenizer.Piece{txt("a\nUser: b END c")}, "a", TerminatedStop},
		{r, []tokenizer.Piece{txt("\nUser: b END")}, "", TerminatedStop},
		{r, []tokenizer.Piece{txt("END")}, "", TerminatedStop},
		{r, []tokenizer.Piece{txt("ok"), {Text: "<|im_end|>", Special: true}}, "ok", TerminatedStop},
		{r, []tokenizer.Piece{txt("cut off")}, "cut off", TerminatedMalformed},
		{rs, []tokenizer.Piece{txt("done")}, "done", TerminatedEOS},
		{rs, []tokenizer.Piece{txt("END"), txt("x")}, "", TerminatedStop},
	} {
		m, term := c.r.ParseResponse(c.pieces)
		if m.Content.Text() != c.text || term != c.term {
			t.Errorf("%s %+v: got %q %s, want %q %s", c.r.Name(), c.pieces, m.Content.Text(), term, c.text, c.term)
		}
	}
}

// TestCustomRendererGenerationPrefixIsRendered: the generation prompt
// ends with the renderer's generation prefix.
func TestCustomRendererGenerationPrefixIsRendered(t *testing.T) {
	r, err := FromIR(chatML())
	if err != nil {
		t.Fatal(err)
	}
	gp, err := r.GenerationPrompt([]chat.Message{{Role: "user", Content: chat.Text("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := annotate(gp[len(gp)-2:]), "«<|im_start|>»assistant\n"; got != want {
		t.Errorf("the generation prompt ends with %q, want %q", got, want)
	}
}
