package interp

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cookbookc/cookbookc/compiler/ir"
)

// Stage directories sit beside the run directory's own entries, so each
// of them must be a reserved stage name (the checker refuses those).
func TestRunDirNamesAreReservedStageIDs(t *testing.T) {
	for _, name := range []string{runFile, planFile, eventsFile, logFile, summaryFile, lockFile, supersededDir, blobsDir} {
		assert.True(t, ir.ReservedStageID(name), name)
	}
}
