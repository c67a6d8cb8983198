package ir

import (
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
)

func TestReservedStageIDs(t *testing.T) {
	var identifiers []string
	for id := range reservedStageIDs {
		assert.True(t, ReservedStageID(id))
		if hclsyntax.ValidIdentifier(id) {
			identifiers = append(identifiers, id)
		}
	}
	assert.ElementsMatch(t, identifiers, ReservedStageIDs(), "the list for messages holds every reserved identifier")
	assert.True(t, ReservedStageID(".tmp-x"))
	assert.False(t, ReservedStageID("train"))
}
