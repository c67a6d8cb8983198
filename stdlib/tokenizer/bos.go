package tokenizer

import (
	"encoding/json"
	"fmt"
)

// bosTokenizer is implemented by tokenizers that may define a
// beginning-of-sequence token (HF); the byte-level tokenizer has none.
type bosTokenizer interface {
	BOS() (string, bool)
}

// BOS returns tok's beginning-of-sequence token, if it defines one: what
// Hugging Face calls tokenizer.bos_token. Renderers that prepend the
// tokenizer's BOS (role_colon, ../shared/reference/cookbook-semantics.md §8.3) read it from here.
func BOS(tok Tokenizer) (string, bool) {
	if b, ok := tok.(bosTokenizer); ok {
		return b.BOS()
	}
	return "", false
}

// BOS returns the tokenizer's beginning-of-sequence token: tokenizer_config
// .json's bos_token when WithConfig was given one (null means none), else
// the special token tokenizer.json's post-processor puts before the text.
func (t *HF) BOS() (string, bool) { return t.bos, t.bos != "" }

// WithConfig returns a copy of t that takes its BOS from a
// tokenizer_config.json file (Hugging Face's tokenizer.bos_token): a
// string, an {"content": ...} object, or null for none. A config without
// bos_token leaves the post-processor's BOS. The BOS must be one of the
// tokenizer's added tokens, so that it encodes as exactly one id.
func (t *HF) WithConfig(data []byte) (*HF, error) {
	var cfg map[string]json.RawMessage // a map: a null bos_token is not an absent one
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("tokenizer %s: tokenizer_config.json: %w", t.id, err)
	}
	c := *t // shares the read-only tables
	raw, ok := cfg["bos_token"]
	if !ok {
		return &c, nil
	}
	bos, err := tokenContent(raw)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: tokenizer_config.json bos_token: %w", t.id, err)
	}
	if bos != "" {
		if _, ok := t.addedIDs[bos]; !ok {
			return nil, fmt.Errorf("tokenizer %s: tokenizer_config.json bos_token %q is not an added token of tokenizer.json", t.id, bos)
		}
	}
	c.bos = bos
	return &c, nil
}

// tokenContent reads a token field of tokenizer_config.json: "text",
// {"content": "text", ...} (an AddedToken) or null.
func tokenContent(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case map[string]any:
		if s, ok := v["content"].(string); ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("want a string, an object with \"content\" or null, got %s", raw)
}

// templateBOS returns the special token that tokenizer.json's
// post-processor puts before a single sequence (TemplateProcessing, alone
// or inside a Sequence), or "" when there is none.
func templateBOS(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var p struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
		Single     []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
			Sequence *json.RawMessage `json:"Sequence"`
		} `json:"single"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("post_processor: %w", err)
	}
	switch p.Type {
	case "Sequence":
		for _, sub := range p.Processors {
			if bos, err := templateBOS(sub); bos != "" || err != nil {
				return bos, err
			}
		}
	case "TemplateProcessing":
		if len(p.Single) > 0 && p.Single[0].SpecialToken != nil {
			return p.Single[0].SpecialToken.ID, nil
		}
	}
	return "", nil
}
