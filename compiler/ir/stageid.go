package ir

import "strings"

// reservedStageIDs are the entries of a run directory that sit beside the
// stages' directories (SPEC.md §10 "Run directory"): the run's own files,
// superseded/ and blobs/, the fake hub's fake-hub/, and local/, where the
// local training backend keeps checkpoints by default. A stage with one
// of these names would write into them.
var reservedStageIDs = map[string]bool{
	"run.json": true, "plan.json": true, "events.jsonl": true, "run.log": true, "summary.json": true,
	".lock": true, "superseded": true, "blobs": true, "fake-hub": true, "local": true,
}

// ReservedStageID reports whether id cannot name a stage: one of the
// run directory's own entries, or a hidden name (temporary files start
// with a dot).
func ReservedStageID(id string) bool {
	return reservedStageIDs[id] || strings.HasPrefix(id, ".")
}

// ReservedStageIDs lists the reserved names that are valid identifiers
// (the ones a recipe could use), sorted, for messages.
func ReservedStageIDs() []string {
	return []string{"blobs", "fake-hub", "local", "superseded"}
}
