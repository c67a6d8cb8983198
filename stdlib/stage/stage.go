// Package stage is the contract between the interpreter and stage kinds.
// A stage kind is one package under stdlib/stages that declares its schema
// (inputs with types, defaults, constraints and docs; outputs; the ports
// it calls) beside its Run and registers both (Register, in registry.go);
// stdlib/all imports every kind. The catalog the compiler checks recipes
// against, `cookbookc stages` and SPEC.md §5 all come from those schemas.
// The interpreter calls Run with an Env holding the stage's resolved
// inputs, its ports, its directory in the run directory, a logger, a
// metrics writer, a checkpoint log and a progress reporter.
//
// Stages never talk to adapters except through Env.Ports, so the same
// recipe runs unchanged on every manifest.
//
// Adding a stage kind is one new folder plus one registration line:
//
//   - stdlib/stages/KIND/: a Schema (schema.StageKind: inputs built from
//     the shared groups of fields.go where they fit, outputs, ports, an
//     optional cross-field Check), a Config struct whose fields are tagged
//     input:"NAME" (embedding Adam, Cadence or Sampling for those groups),
//     and func init() { Register(Define(&Schema, run)) } with
//     run(ctx, env, cfg Config). Helpers shared with other kinds live
//     outside stdlib/stages (stdlib/chatsetup, stdlib/trainloop); a kind
//     never imports another kind's package.
//   - stdlib/all/KIND.go: the package's blank import.
//
// The catalog, `cookbookc stages` and the compiler pick the kind up from
// the registration; stdlib/all's test checks its Config against its
// Schema, and SPEC.md §5 is regenerated with
// go test ./cmd/cookbookc -run TestSpecStageTables -update.
package stage

import (
	"context"
	"log/slog"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
)

// Impl runs one stage kind.
type Impl interface {
	// Run executes the stage and returns its outputs, keyed by the output
	// names the catalog declares. It must return promptly with ctx.Err()
	// (wrapped is fine) once ctx is cancelled, after leaving what it needs
	// to resume (a checkpoint record) in Env.Checkpoints.
	Run(ctx context.Context, env *Env) (Outputs, error)
}

// Func adapts a function to Impl.
type Func func(ctx context.Context, env *Env) (Outputs, error)

// Run implements Impl.
func (f Func) Run(ctx context.Context, env *Env) (Outputs, error) { return f(ctx, env) }

// Outputs maps output names to JSON-serialisable values. A "checkpoint"
// output is a ports.Checkpoint; a "map(number)" output a
// map[string]float64.
type Outputs map[string]any

// Env is everything a running stage gets.
type Env struct {
	Stage  *ir.Stage
	Plan   *ir.Plan
	Inputs *Inputs
	Ports  Ports

	// Dir is the stage's directory in the run directory (it exists).
	// Stages write reports, samples and local artifacts here, atomically
	// (write a temp file, then rename).
	Dir string

	Log         *slog.Logger
	Metrics     MetricsWriter
	Checkpoints CheckpointLog
	Progress    Progress

	// Resume is true when the stage was interrupted in an earlier
	// attempt of this run and is being restarted: Checkpoints and Metrics
	// hold what that attempt wrote.
	Resume bool
}

// Ports gives a stage the adapters its manifest binds. Each accessor
// constructs the adapter on first use; errors name the port and adapter.
type Ports interface {
	Trainer(ctx context.Context) (ports.Trainer, error)
	Sampling(ctx context.Context) (ports.SamplingService, error)
	Datasets(ctx context.Context) (ports.DatasetStore, error)
	Blobs(ctx context.Context) (ports.BlobStore, error)
	Hub(ctx context.Context) (ports.HubClient, error)
	LLM(ctx context.Context) (ports.LLMClient, error)
	Embeddings(ctx context.Context) (ports.EmbeddingClient, error)
	Vectors(ctx context.Context) (ports.VectorStore, error)
	// Adapter returns the name of the adapter bound to port ("" if
	// unbound), for messages.
	Adapter(port string) string
}

// MetricsWriter appends step metrics to the stage's metrics.jsonl (and to
// the manifest's metrics sink). Each record is one JSON object
// {"step": N, ...metrics}, written durably before Write returns.
type MetricsWriter interface {
	Write(step int, metrics map[string]any) error
	// Records returns every record in the file, in order.
	Records() ([]map[string]any, error)
	// TruncateFrom drops the records with step >= step. A resumed stage
	// calls it before redoing steps after its last checkpoint, so the file
	// ends up as if the run had never been interrupted.
	TruncateFrom(step int) error
}

// CheckpointLog is the stage's append-only checkpoints.jsonl, one
// CheckpointRecord per save.
type CheckpointLog interface {
	// Append writes one record durably before returning.
	Append(rec CheckpointRecord) error
	// LastWithState returns the last record that has a state path: where a
	// resumed stage continues (as in tinker-cookbook). An unreadable log
	// is an error, so a resume never silently starts over.
	LastWithState() (CheckpointRecord, bool, error)
	// Records returns every record, in order.
	Records() ([]CheckpointRecord, error)
}

// Progress reports a stage's progress to the terminal or the log.
type Progress interface {
	// Start announces the total amount of work (e.g. steps) and its
	// unit; total 0 means unknown.
	Start(total int, unit string)
	// Update reports done units and the current key metrics.
	Update(done int, metrics map[string]float64)
}
