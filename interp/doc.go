// Package interp runs a plan: it binds each port to the adapter a
// manifest chooses (constructing adapters lazily, closing them at the
// end), walks the stage DAG with bounded parallelism, resolves each
// stage's inputs (literals, datasets, renderers, secrets and the outputs
// of the stages it depends on), and journals everything to a run
// directory so that an interrupted run resumes where it stopped.
//
// Run directory (runs/<experiment>/<run-id>/):
//
//	run.json        identity: format marker, run id, experiment, manifest
//	plan.json       the plan that ran (secrets are references only)
//	events.jsonl    the journal: run and stage events, stage outputs
//	run.log         stage log lines (secrets redacted)
//	summary.json    final status of every stage, rewritten at the end of each attempt
//	<stage>/        the stage's directory: metrics.jsonl, checkpoints.jsonl, artifacts
//	superseded/     earlier attempts' stage directories and plans, kept, never deleted
//
// events.jsonl is the source of truth. Every record is one line written
// with one write(2), so a killed process leaves at most a torn last line,
// which is dropped on resume. Because the file is appended in execution
// order, any prefix of it is a consistent state: a stage's "finished"
// record always follows those of the stages it depends on. See
// SPEC.md §10 for the exact formats.
package interp
