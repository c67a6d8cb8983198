package renderers

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// TestModelTableNamesBuiltins: every renderer the model table
// recommends is built in, and every built-in renderer has a summary for
// the catalog.
func TestModelTableNamesBuiltins(t *testing.T) {
	for _, row := range ModelRenderers {
		if _, err := Get(row.Renderer); err != nil {
			t.Errorf("model table row %s: %v", row.Model, err)
		}
	}
	if _, listed := RecommendedName("acme/unknown"); listed {
		t.Error("an unknown model is listed")
	}
	if _, err := Get(DefaultRenderer); err != nil {
		t.Errorf("default renderer: %v", err)
	}
	summaries := Summaries()
	for _, name := range Names() {
		if summaries[name] == "" {
			t.Errorf("renderer %s has no summary", name)
		}
	}
}

func TestGetUnknownSuggests(t *testing.T) {
	_, err := Get("qwen_3")
	if err == nil || !strings.Contains(err.Error(), `did you mean "qwen3"`) {
		t.Fatalf("err = %v", err)
	}
	r, err := Get("deepseekv3_disable_thinking")
	if err != nil || r.Name() != "deepseekv3_disable_thinking" {
		t.Fatalf("alias: %v %v", r, err)
	}
}

// TestExtensionProperty: for every renderer, the generation prompt of
// messages[:k] is a prefix of the supervised rendering of messages[:k+1]
// (the last_assistant_* rules rely on it). For renderers that claim the
// extension property, the rendering of messages[:k+1] is moreover a
// prefix of every later generation prompt, so turns can be merged;
// renderers that disclaim it have a conversation where that fails.
func TestExtensionProperty(t *testing.T) {
	fixedClock(t)
	convs := loadConversations(t)
	for _, name := range Names() {
		r, _ := Get(name)
		checked, violations := 0, 0
		for _, c := range convs {
			msgs := stripTrainable(c.Messages)
			for k := 1; k < len(msgs); k++ {
				if msgs[k].Role != "assistant" {
					continue
				}
				prompt, err := r.GenerationPrompt(msgs[:k])
				if err != nil {
					continue // a conversation this format cannot express
				}
				full, err := r.Supervised(msgs[:k+1], AllMessages)
				if err != nil {
					continue
				}
				checked++
				if !IsPrefix(prompt, full[0]) {
					t.Errorf("%s %s k=%d: generation prompt is not a prefix:\n prompt %q\n full   %q", name, c.Name, k, Text(prompt), Text(full[0]))
				}
				for j := k + 2; j <= len(msgs); j++ {
					if msgs[j-1].Role == "assistant" {
						continue
					}
					later, err := r.GenerationPrompt(msgs[:j])
					if err != nil || IsPrefix(full[0], later) {
						continue
					}
					violations++
					if r.ExtensionProperty() {
						t.Errorf("%s %s: rendering of messages[:%d] is not a prefix of the prompt for messages[:%d]:\n full  %q\n later %q", name, c.Name, k+1, j, Text(full[0]), Text(later))
					}
				}
			}
		}
		if checked < 10 {
			t.Errorf("%s: only %d prefixes checked", name, checked)
		}
		if !r.ExtensionProperty() && violations == 0 {
			t.Errorf("%s disclaims the extension property but no conversation violates it", name)
		}
	}
}

func stripTrainable(msgs []chat.Message) []chat.Message {
	out := make([]chat.Message, len(msgs))
	for i, m := range msgs {
		m.Trainable = nil
		out[i] = m
	}
	return out
}

// TestLastAssistantPrefixZeroed: under last_assistant_*, nothing the
// generation prompt covers is trained, whatever the format puts in the
// header or output.
func TestLastAssistantPrefixZeroed(t *testing.T) {
	fixedClock(t)
	convs := loadConversations(t)
	for _, name := range Names() {
		r, _ := Get(name)
		for _, c := range convs {
			msgs := stripTrainable(c.Messages)
			if msgs[len(msgs)-1].Role != "assistant" {
				continue
			}
			ex, err := r.Supervised(msgs, LastAssistantMessage)
			if err != nil {
				continue
			}
			prompt, err := r.GenerationPrompt(msgs[:len(msgs)-1])
			if err != nil {
				t.Fatal(err)
			}
			units, all := commonPrefix(prompt, ex[0])
			if !all {
				t.Errorf("%s %s: prompt not a prefix of the target rendering", name, c.Name)
			}
			if w := weightOfFirstUnits(ex[0], units); w != 0 {
				t.Errorf("%s %s: %v weight inside the generation prompt", name, c.Name, w)
			}
			if total := weightOfFirstUnits(ex[0], 1<<30); total == 0 {
				t.Errorf("%s %s: nothing trained", name, c.Name)
			}
		}
	}
}

func weightOfFirstUnits(segs []Segment, units int) float32 {
	var w float32
	for _, s := range segs {
		n := 1
		if !s.Special {
			n = len(s.Text)
		}
		if units <= 0 {
			break
		}
		k := min(n, units)
		w += s.Weight * float32(k)
		units -= k
	}
	return w
}

// TestParseRoundTrip: parsing the rendered completion of a final
// assistant message gives that message back (text, thinking where the
// format keeps it, tool calls) with a stop-sequence termination.
func TestParseRoundTrip(t *testing.T) {
	fixedClock(t)
	convs := loadConversations(t)
	for _, name := range Names() {
		r, _ := Get(name)
		n := 0
		for _, c := range convs {
			msgs := stripTrainable(c.Messages)
			// The message as the format reads it: reasoning written
			// inside the content comes back as thinking.
			last := asRead(r, msgs)[len(msgs)-1]
			if last.Role != "assistant" {
				continue
			}
			prompt, err1 := r.GenerationPrompt(msgs[:len(msgs)-1])
			ex, err2 := r.Supervised(msgs, LastAssistantMessage)
			if err1 != nil || err2 != nil {
				continue
			}
			units, _ := commonPrefix(prompt, ex[0])
			pieces := completionPieces(ex[0], units)
			got, term := r.ParseResponse(pieces)
			if term != TerminatedStop && !(name == "role_colon" && term == TerminatedEOS) {
				t.Errorf("%s %s: termination %s for %+v", name, c.Name, term, pieces)
			}
			wantText := last.Content.Text()
			if name == "qwen3" || name == "qwen3_disable_thinking" {
				wantText = strings.TrimLeft(wantText, "\n")
			}
			if got.Content.Text() != wantText {
				t.Errorf("%s %s: text %q, want %q", name, c.Name, got.Content.Text(), wantText)
			}
			if th := strings.Trim(last.Content.Thinking(), "\n"); strings.Trim(got.Content.Thinking(), "\n") != th {
				t.Errorf("%s %s: thinking %q, want %q", name, c.Name, got.Content.Thinking(), th)
			}
			if len(got.ToolCalls) != len(last.ToolCalls) {
				t.Errorf("%s %s: %d tool calls, want %d", name, c.Name, len(got.ToolCalls), len(last.ToolCalls))
			}
			n++
		}
		// Tool-call turns: parse the first assistant message of the tool
		// conversation as the completion.
		if n < 8 {
			t.Errorf("%s: only %d round trips", name, n)
		}
	}
}

// asRead returns msgs as r's format reads them (splitReasoning).
func asRead(r Renderer, msgs []chat.Message) []chat.Message {
	if e, ok := r.(engine); ok {
		return splitReasoning(e.f, msgs)
	}
	return msgs
}

// completionPieces turns the segments after the first units into decoded
// pieces, adding the string stop for formats without stop tokens.
func completionPieces(segs []Segment, units int) []tokenizer.Piece {
	var out []tokenizer.Piece
	for _, s := range segs {
		n := 1
		if !s.Special {
			n = len(s.Text)
		}
		if units >= n {
			units -= n
			continue
		}
		text := s.Text
		if units > 0 {
			text, units = text[units:], 0
		}
		out = append(out, tokenizer.Piece{Text: text, Special: s.Special})
	}
	return out
}

func TestParseToolCalls(t *testing.T) {
	fixedClock(t)
	call := chat.ToolCall{ID: "functions.get_weather:0", Type: "function", Function: chat.FunctionCall{Name: "get_weather", Arguments: `{"city": "Paris"}`}}
	msgs := []chat.Message{
		{Role: "user", Content: chat.Text("Weather?")},
		{Role: "assistant", Content: chat.Text("Checking."), ToolCalls: []chat.ToolCall{call}},
	}
	for _, name := range []string{"qwen3", "qwen3_instruct", "deepseekv3", "deepseekv3_thinking", "kimi_k2", "gpt_oss_medium_reasoning"} {
		r, _ := Get(name)
		prompt, _ := r.GenerationPrompt(msgs[:1])
		ex, err := r.Supervised(msgs, LastAssistantMessage)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		units, _ := commonPrefix(prompt, ex[0])
		got, term := r.ParseResponse(completionPieces(ex[0], units))
		if term != TerminatedStop || len(got.ToolCalls) != 1 || got.ToolCalls[0].Function.Name != "get_weather" {
			t.Errorf("%s: %s %+v", name, term, got)
			continue
		}
		if args := got.ToolCalls[0].Function.Arguments; strings.ReplaceAll(args, " ", "") != `{"city":"Paris"}` {
			t.Errorf("%s: arguments %q", name, args)
		}
	}
}

func TestParseTermination(t *testing.T) {
	sp := func(s string) tokenizer.Piece { return tokenizer.Piece{Text: s, Special: true} }
	txt := func(s string) tokenizer.Piece { return tokenizer.Piece{Text: s} }
	cases := []struct {
		renderer string
		pieces   []tokenizer.Piece
		text     string
		term     Termination
	}{
		{"llama3", []tokenizer.Piece{txt("Hi"), sp("<|eot_id|>")}, "Hi", TerminatedStop},
		{"llama3", []tokenizer.Piece{txt("Hi <|eot_id|> there")}, "Hi <|eot_id|> there", TerminatedMalformed},
		{"llama3", []tokenizer.Piece{txt("Hi"), sp("<|end_of_text|>")}, "Hi", TerminatedEOS},
		{"llama3", []tokenizer.Piece{txt("A"), sp("<|eot_id|>"), txt("B"), sp("<|eot_id|>")}, "A", TerminatedMalformed},
		{"role_colon", []tokenizer.Piece{txt(" Sure.\n\nUser:")}, "Sure.", TerminatedStop},
		{"role_colon", []tokenizer.Piece{txt(" Sure.")}, "Sure.", TerminatedEOS},
		{"qwen3", []tokenizer.Piece{sp("<think>"), txt("\nhmm\n"), sp("</think>"), txt("\n\nOK"), sp("<|im_end|>")}, "OK", TerminatedStop},
		{"qwen3", []tokenizer.Piece{txt("<think>fake</think> text"), sp("<|im_end|>")}, "<think>fake</think> text", TerminatedStop},
		{"qwen3", []tokenizer.Piece{sp("<tool_call>"), txt("\nnot json\n"), sp("</tool_call>"), sp("<|im_end|>")}, "<tool_call>\nnot json\n</tool_call>", TerminatedMalformed},
		{"kimi_k2", []tokenizer.Piece{sp("<think>"), txt("r"), sp("</think>"), txt("ans")}, "ans", TerminatedMalformed},
		{"gpt_oss_no_sysprompt", []tokenizer.Piece{sp("<|channel|>"), txt("final"), sp("<|message|>"), txt("42"), sp("<|return|>")}, "42", TerminatedStop},
	}
	for _, c := range cases {
		r, _ := Get(c.renderer)
		m, term := r.ParseResponse(c.pieces)
		if m.Content.Text() != c.text || term != c.term || m.Role != "assistant" {
			t.Errorf("%s %+v: got %q %s, want %q %s", c.renderer, c.pieces, m.Content.Text(), term, c.text, c.term)
		}
	}
}

// TestInexpressible: conversations a renderer cannot express are errors
// (never panics), naming the message.
func TestInexpressible(t *testing.T) {
	yes := true
	think := chat.Content{{Type: chat.PartThinking, Thinking: "hmm"}, {Type: chat.PartText, Text: "ok"}}
	user := chat.Message{Role: "user", Content: chat.Text("q")}
	cases := []struct {
		renderer string
		msgs     []chat.Message
		trainOn  TrainOn
		want     string
	}{
		{"llama3", []chat.Message{user, {Role: "tool", Content: chat.Text("r")}}, AllMessages, "tool calling"},
		{"llama3", []chat.Message{user, {Role: "assistant", Content: think}}, AllMessages, "thinking"},
		{"role_colon", []chat.Message{user, {Role: "assistant", ToolCalls: []chat.ToolCall{{}}}}, AllMessages, "tool calling"},
		{"qwen3_disable_thinking", []chat.Message{user, {Role: "assistant", Content: think}}, LastAssistantMessage, "reasoning"},
		{"qwen3_disable_thinking", []chat.Message{{Role: "assistant", Content: chat.Text("a")}}, AllAssistantMessages, "user message"},
		{"qwen3_instruct", []chat.Message{user, {Role: "assistant", Content: think}}, AllMessages, "thinking"},
		{"deepseekv3", []chat.Message{user, {Role: "assistant", Content: think}}, LastAssistantMessage, "reasoning"},
		{"deepseekv3", []chat.Message{user, {Role: "system", Content: chat.Text("s")}}, AllMessages, "only first"},
		{"gpt_oss_no_sysprompt", []chat.Message{user, {Role: "tool", Content: chat.Text("r")}}, AllMessages, "name"},
		{"kimi_k2", []chat.Message{user, {Role: "critic", Content: chat.Text("r")}}, AllMessages, `unknown role "critic"`},
		// llama3, role_colon and qwen3 wrote any role into their headers
		// ("Usr:"): a misspelt role trained a format the model never sees.
		{"llama3", []chat.Message{{Role: "usr", Content: chat.Text("q")}}, AllMessages, `unknown role "usr". Did you mean "user"?`},
		{"role_colon", []chat.Message{user, {Role: "asistant", Content: chat.Text("a")}}, AllMessages, `Did you mean "assistant"?`},
		{"qwen3", []chat.Message{user, {Role: "critic", Content: chat.Text("a")}}, LastAssistantMessage, "Roles: assistant, system, tool, user"},
		{"llama3", []chat.Message{user}, Customized, "trainable"},
		{"llama3", []chat.Message{{Role: "user", Content: chat.Text("q"), Trainable: &yes}}, AllMessages, "only allowed"},
		{"llama3", []chat.Message{user}, TrainOn("everything"), "unknown train_on"},
		{"qwen3", []chat.Message{{Role: "", Content: chat.Text("q")}}, AllMessages, "message 0: renderer qwen3: no role"},
	}
	for _, c := range cases {
		r, _ := Get(c.renderer)
		_, err := r.Supervised(c.msgs, c.trainOn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: err = %v, want it to mention %q", c.renderer, c.trainOn, err, c.want)
		}
	}
	r, _ := Get("llama3")
	if _, err := r.GenerationPrompt([]chat.Message{{Role: "usr", Content: chat.Text("q")}}); err == nil || !strings.Contains(err.Error(), `Did you mean "user"?`) {
		t.Errorf("generation prompt: err = %v, want the unknown role", err)
	}
}

func TestEncodeWithByteLevel(t *testing.T) {
	r, _ := Get("llama3")
	tok, err := tokenizer.NewByteLevel(r.SpecialTokens())
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{{Role: "user", Content: chat.Text("<|eot_id|>")}, {Role: "assistant", Content: chat.Text("ok")}}
	ex, err := r.Supervised(msgs, LastAssistantMessage)
	if err != nil {
		t.Fatal(err)
	}
	ids, weights, err := Encode(tok, ex[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(weights) {
		t.Fatal("ids and weights differ in length")
	}
	eot, _ := tok.SpecialID("<|eot_id|>")
	var specials, trained int
	for i, id := range ids {
		if id == eot {
			specials++
		}
		if weights[i] > 0 {
			trained++
		}
	}
	// The user's "<|eot_id|>" text is 10 byte tokens, not the special:
	// only the two real end-of-turn tokens are specials.
	if specials != 2 {
		t.Errorf("%d <|eot_id|> specials, want 2", specials)
	}
	if trained != 3 { // "ok" + <|eot_id|>
		t.Errorf("%d trained tokens, want 3", trained)
	}
	if got := tok.Decode(ids); got != Text(ex[0]) {
		t.Errorf("decode %q != text %q", got, Text(ex[0]))
	}
	other, _ := tokenizer.NewByteLevel([]string{"<x>"})
	if _, _, err := Encode(other, ex[0]); err == nil {
		t.Error("missing special not reported")
	}
}

func TestZeroPrefixSplitsText(t *testing.T) {
	segs := []Segment{{Text: "ab", Weight: 0}, {Text: "cdef", Weight: 1}, {Text: "<e>", Special: true, Weight: 1}}
	got := zeroPrefix(segs, []Segment{{Text: "abcd"}})
	want := []Segment{{Text: "abcd", Weight: 0}, {Text: "ef", Weight: 1}, {Text: "<e>", Special: true, Weight: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	// A special token in the prompt does not match the same text.
	got = zeroPrefix([]Segment{{Text: "<e>x", Weight: 1}}, []Segment{{Text: "<e>", Special: true}})
	if got[0].Weight != 1 {
		t.Errorf("text matched a special: %+v", got)
	}
}

// FuzzRenderers: no renderer panics on any conversation; it renders or
// returns an error, and a rendering's weights are 0 or 1.
func FuzzRenderers(f *testing.F) {
	f.Add("user", "hi", "assistant", "<|im_end|>", "t", false, uint8(0))
	f.Add("tool", "", "assistant", "x", "", true, uint8(3))
	f.Add("system", "\n", "critic", "<think>", "r", false, uint8(6))
	f.Fuzz(func(t *testing.T, role1, content1, role2, content2, thinking string, toolCall bool, mode uint8) {
		m2 := chat.Message{Role: role2, Content: chat.Text(content2)}
		if thinking != "" {
			m2.Content = append(chat.Content{{Type: chat.PartThinking, Thinking: thinking}}, m2.Content...)
		}
		if toolCall {
			m2.ToolCalls = []chat.ToolCall{{Function: chat.FunctionCall{Name: content1, Arguments: content2}}}
		}
		msgs := []chat.Message{{Role: role1, Content: chat.Text(content1), Name: content1}, m2}
		trainOn := TrainOnModes()[int(mode)%len(TrainOnModes())]
		for _, name := range Names() {
			r, _ := Get(name)
			exs, err := r.Supervised(msgs, trainOn)
			if err != nil {
				continue
			}
			for _, ex := range exs {
				for _, s := range ex {
					if s.Weight != 0 && s.Weight != 1 {
						t.Fatalf("%s: weight %v", name, s.Weight)
					}
				}
			}
			r.GenerationPrompt(msgs)
			r.ParseResponse([]tokenizer.Piece{{Text: content2}, {Text: content1, Special: true}})
		}
	})
}

func TestRecommended(t *testing.T) {
	for model, want := range map[string]string{"Qwen/Qwen3-8B": "qwen3", "meta-llama/Llama-3.1-8B-Instruct": "llama3", "acme/unknown": "role_colon"} {
		r, _, err := Recommended(model)
		if err != nil || r.Name() != want {
			t.Errorf("%s: %v %v, want %s", model, r, err, want)
		}
	}
}

// TestPromptAfterAssistantIsHistory: for formats that render the message
// being produced differently from history (reasoning kept: kimi_k2,
// deepseekv3*; <|return|> instead of <|end|>: gpt_oss), a generation prompt
// that ends with an assistant message renders that message as history, as
// the models' templates do, so the prompt is a prefix of the rendering that
// adds the next assistant message. (qwen3 deliberately follows Qwen's
// template instead, which frames the last message of a prompt as the
// produced one.)
func TestPromptAfterAssistantIsHistory(t *testing.T) {
	think := chat.Content{{Type: chat.PartThinking, Thinking: "9 = 3 * 3."}, {Type: chat.PartText, Text: "No."}}
	msgs := []chat.Message{
		{Role: "user", Content: chat.Text("Is 9 prime?")},
		{Role: "assistant", Content: think},
		{Role: "assistant", Content: chat.Text("It is 3 squared.")},
	}
	fixedClock(t)
	for _, name := range []string{"kimi_k2", "deepseekv3", "deepseekv3_thinking", "gpt_oss_no_sysprompt", "gpt_oss_medium_reasoning"} {
		r, _ := Get(name)
		prompt, err := r.GenerationPrompt(msgs[:2])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(Text(prompt), "9 = 3 * 3.") && !strings.HasPrefix(name, "gpt_oss") || strings.Contains(Text(prompt), hReturn) {
			t.Errorf("%s: the prompt renders its last message as the produced one: %q", name, Text(prompt))
		}
		full, err := r.Supervised(msgs, LastAssistantMessage)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !IsPrefix(prompt, full[0]) {
			t.Errorf("%s: prompt is not a prefix of the rendering:\n prompt %q\n full   %q", name, Text(prompt), Text(full[0]))
		}
	}
}
