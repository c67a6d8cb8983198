package schema

import "slices"

// StageKind declares a stage kind: what it takes, what it produces and
// which ports it calls. Each kind's package under stdlib/stages declares
// its StageKind beside its code (SPEC.md §5 is generated from them).
type StageKind struct {
	Name    string
	Summary string
	Inputs  []Field
	Outputs []Output
	// Ports the kind may call. A manifest must bind each of them.
	Ports []string
	// Check, when set, validates relations between inputs that single
	// fields cannot express (e.g. "checkpoint or model is required"). It
	// sees the inputs that are known at compile time (literal values;
	// references and secrets are present as keys with a nil value) and
	// returns one Problem per violation.
	Check func(inputs map[string]any) []Problem
}

// Problem is a violation found by StageKind.Check. Field names the input
// the diagnostic should point at ("" for the stage as a whole).
type Problem struct {
	Field   string
	Summary string
	Detail  string
}

// Input returns the named input field.
func (k *StageKind) Input(name string) (*Field, bool) {
	return findField(k.Inputs, name)
}

// Output returns the named output.
func (k *StageKind) Output(name string) (*Output, bool) {
	for i := range k.Outputs {
		if k.Outputs[i].Name == name {
			return &k.Outputs[i], true
		}
	}
	return nil, false
}

// AdapterSchema declares an adapter's port, name and config attributes.
// Each adapter package declares its schema beside its code and registers
// both (adapters/registry).
type AdapterSchema struct {
	Port    string
	Name    string
	Summary string
	Config  []Field
	// Fake marks adapters that exist only for tests (the `test`
	// manifest); listings label them.
	Fake bool
	// Sources, for a dataset_store adapter, lists the dataset source
	// schemes it reads: "file" (file:// URIs and plain paths, which it
	// resolves with lang/filesource, relative to its `root` config when
	// set) and "hf". The checker refuses a source the bound store cannot
	// read and checks local files before a run. Empty means the adapter
	// reads no source (a fake that makes its rows up): any is accepted.
	Sources []string
}

// Field returns the named config field.
func (a *AdapterSchema) Field(name string) (*Field, bool) {
	return findField(a.Config, name)
}

// ReadsSource reports whether a dataset_store adapter reads sources of
// the given scheme (see Sources).
func (a *AdapterSchema) ReadsSource(scheme string) bool {
	return len(a.Sources) == 0 || slices.Contains(a.Sources, scheme)
}

// DefaultManifest names the manifest a recipe is checked and run under
// when none is named (SPEC.md §2.6).
const DefaultManifest = "default"

// Manifest is a built-in manifest: an adapter (and config) per port
// (SPEC.md §2.6). Ports not listed are unbound; a stage that needs an
// unbound port is a check error under that manifest.
type Manifest struct {
	Name    string
	Summary string
	Ports   map[string]ManifestPort
}

// ManifestPort is one port's adapter in a built-in manifest. Config
// values are Go values as in Field.Default.
type ManifestPort struct {
	Adapter string
	Config  map[string]any
}

func findField(fields []Field, name string) (*Field, bool) {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i], true
		}
	}
	return nil, false
}
