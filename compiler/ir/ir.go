// Package ir defines the cookbookc intermediate representation (IR): the
// plan a compiled recipe lowers to and the only thing the interpreter reads.
//
// The IR is plain data. It is JSON-encoded with stable keys, versioned by
// Version, and deterministic: compiling the same recipe twice yields
// byte-identical output (see Encode). Everything a run needs is resolved at
// compile time except two kinds of values, which stay references:
//
//   - outputs of other stages ("stage.train.final_checkpoint"), known only
//     once the producing stage has run, and
//   - secrets (values that came from env()), which are never stored; the
//     interpreter reads them from the environment when a stage starts.
package ir

// Version is the IR format version written to Plan.IRVersion. Readers refuse
// plans whose major version differs; additive changes keep the version.
const Version = "1"

// Plan is one compiled experiment: its stages in a deterministic
// topological order plus the datasets, renderers and manifests they use.
type Plan struct {
	IRVersion   string `json:"ir_version"`
	Experiment  string `json:"experiment"`
	Description string `json:"description,omitempty"`

	// BaseDir is the absolute directory of the recipe; relative file
	// sources (datasets, templates) are resolved against it.
	BaseDir string `json:"base_dir"`

	// Sources lists the recipe files the plan was compiled from, with
	// content digests, so a run records exactly what it ran.
	Sources []Source `json:"sources"`

	// Variables records the final value of each input variable (secrets as
	// references). Informational: stage inputs already hold evaluated values.
	Variables map[string]Value `json:"variables,omitempty"`

	Datasets  map[string]Dataset  `json:"datasets,omitempty"`
	Renderers map[string]Renderer `json:"renderers,omitempty"`
	Manifests map[string]Manifest `json:"manifests,omitempty"`

	// Stages are in topological order; ties are broken by source order.
	Stages []Stage `json:"stages"`
}

// Source is one recipe file that went into a plan.
type Source struct {
	Path   string `json:"path"`   // relative to BaseDir
	SHA256 string `json:"sha256"` // hex digest of the file's bytes
}

// Stage is one node of the experiment DAG.
type Stage struct {
	ID   string `json:"id"`   // the stage's name, unique in the experiment
	Kind string `json:"kind"` // a stage kind from the catalog, e.g. "supervised_train"

	// Inputs holds every input of the kind, defaults filled in, keyed by
	// input name. Optional inputs without a default are absent.
	Inputs map[string]Value `json:"inputs"`

	// DependsOn lists the IDs of stages this one needs, sorted. It is the
	// union of stage references in Inputs and explicit depends_on.
	DependsOn []string `json:"depends_on"`

	// Ports lists the ports the stage kind may call, sorted.
	Ports []string `json:"ports,omitempty"`

	Range Range `json:"range"`

	// Hash is the hex SHA-256 of the stage's kind and canonical inputs,
	// where references are replaced by the content they denote (a
	// dataset's definition, a renderer's definition, a producing stage's
	// Hash). A changed Hash means a resumed run must redo the stage.
	Hash string `json:"hash"`
}

// Dataset is a `dataset` block.
type Dataset struct {
	Name string `json:"name"`

	// Source is a URI: "file://relative/or/absolute/path" or "hf://org/name".
	Source string `json:"source"`
	// Format is the row format: "auto", "messages", "prompt_completion",
	// "instruction", "input_output", or a format added by later stage kinds.
	Format string `json:"format"`
	// FileFormat is "auto", "jsonl", "json", "csv" or "parquet".
	FileFormat string `json:"file_format"`
	// Split names the upstream split to read ("train" by default; used by
	// hub datasets).
	Split string `json:"split,omitempty"`

	// TestFraction (0 <= f < 1) or TestSize (rows) carve a held-out test
	// split; at most one is non-zero.
	TestFraction float64 `json:"test_fraction,omitempty"`
	TestSize     int     `json:"test_size,omitempty"`

	ShuffleSeed int64 `json:"shuffle_seed"`
	// Limit keeps only the first Limit rows (0 keeps all).
	Limit int `json:"limit,omitempty"`
	// SkipBadRows lets a run skip malformed rows (it reports how many);
	// otherwise the first bad row fails the run.
	SkipBadRows bool `json:"skip_bad_rows,omitempty"`
	// MaxRowBytes bounds one row's size; 0 means the store's default
	// (ports.DefaultMaxRowBytes).
	MaxRowBytes int `json:"max_row_bytes,omitempty"`

	Range Range `json:"range"`
}

// Renderer is a custom `renderer` block: a chat template declared in the
// recipe. Templates are kept as source text in the renderer template
// language (see SPEC.md) together with the position of their first byte, so
// run-time template errors can still point into the recipe.
type Renderer struct {
	Name string `json:"name"`

	// BOS is emitted once at the start of every rendering (weight 0).
	BOS string `json:"bos,omitempty"`

	// Messages maps a role ("system", "user", "assistant", "tool", ...) to
	// the template pair used to render a message of that role.
	Messages map[string]MessageTemplate `json:"messages"`

	// GenerationPrefix is appended to a prompt to ask the model for an
	// assistant turn.
	GenerationPrefix Template `json:"generation_prefix"`

	// Stop lists the stop sequences (text) that end a sampled turn.
	Stop []string `json:"stop"`

	// SpecialTokens lists strings that are single tokens in this format.
	// Tokenizers map each to one id; content that merely looks like one is
	// still encoded as ordinary text.
	SpecialTokens []string `json:"special_tokens,omitempty"`

	Range Range `json:"range"`
}

// MessageTemplate renders one message: Header (never trained except under
// train_on = "all_tokens") followed by Output (the trainable part).
type MessageTemplate struct {
	Header Template `json:"header"`
	Output Template `json:"output"`
}

// Template is template-language source text and where it starts.
type Template struct {
	Source string `json:"source"`
	Start  Pos    `json:"start"`
}

// Manifest is a recipe-declared `manifest` block. Built-in manifests live
// in the catalog; a recipe manifest with a built-in's name overrides that
// manifest port by port, and a new name extends Extends ("default" when
// empty).
type Manifest struct {
	Name    string                 `json:"name"`
	Extends string                 `json:"extends,omitempty"`
	Ports   map[string]PortBinding `json:"ports"`
	Range   Range                  `json:"range"`
}

// PortBinding selects the adapter for one port and configures it.
type PortBinding struct {
	Adapter string           `json:"adapter"`
	Config  map[string]Value `json:"config,omitempty"`
	Range   Range            `json:"range"`
}

// Range is a source range, the JSON twin of hcl.Range.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Pos is a source position, the JSON twin of hcl.Pos. Line and Column
// count from 1; Byte counts from 0.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}
