package tokenizer

import "strings"

// Llama3TokenizerRepo is an ungated copy of the Llama 3 instruct
// tokenizer, the one the reference cookbook loads for every Llama 3 model
// (../shared/reference/cookbook-semantics.md §8.1, "Tokenizer quirk").
// Llama 3.x base and instruct tokenizers share the vocabulary, merges and
// BOS; they differ only in the chat template and the EOS, which the
// renderers define themselves.
const Llama3TokenizerRepo = "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer"

// UngatedTokenizer maps gated model repositories to an ungated copy of
// their tokenizer.
type UngatedTokenizer struct {
	// Prefix matches repository ids, case-insensitively (the hub's ids
	// are): "meta-llama/Llama-3" matches meta-llama/Llama-3.2-1B.
	Prefix string
	// Repo holds the same tokenizer without a licence gate.
	Repo string
	// Models says which models the row is for (for the docs).
	Models string
}

// UngatedTokenizers is the one table of gated models whose tokenizers are
// loaded from ungated copies, so that no licence gate (and no HF_TOKEN)
// stands between a user and a run; SPEC.md §12 (Tokenizers) documents it.
// Treat it as read-only.
var UngatedTokenizers = []UngatedTokenizer{
	{Prefix: "meta-llama/Llama-3", Repo: Llama3TokenizerRepo,
		Models: "Llama 3.1, 3.2 and 3.3, base and Instruct (meta-llama/Llama-3.2-1B, meta-llama/Llama-3.1-8B-Instruct, ...)"},
	{Prefix: "meta-llama/Meta-Llama-3", Repo: Llama3TokenizerRepo,
		Models: "Llama 3 and 3.1 under their first names (meta-llama/Meta-Llama-3-8B, meta-llama/Meta-Llama-3.1-8B-Instruct, ...)"},
}

// RepoForModel returns the hub repository to load a model's tokenizer
// from, given the model or the tokenizer id a training service reports:
// a ":revision" suffix and a deployment variant (a third path segment,
// "org/model/variant") are dropped, as the Tinker SDK does, and a gated
// model listed in UngatedTokenizers maps to its ungated copy. Any other
// id is returned as is.
func RepoForModel(model string) string {
	id, _, _ := strings.Cut(model, ":")
	if parts := strings.Split(id, "/"); len(parts) == 3 {
		id = parts[0] + "/" + parts[1]
	}
	lower := strings.ToLower(id)
	for _, row := range UngatedTokenizers {
		if strings.HasPrefix(lower, strings.ToLower(row.Prefix)) {
			return row.Repo
		}
	}
	return id
}
