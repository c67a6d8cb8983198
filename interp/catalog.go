package interp

import (
	"fmt"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Catalog returns the catalog of this build: every stage kind (stdlib/
// stage) and adapter (adapters/registry) registered in this process, the
// built-in renderers and model table (stdlib/renderers) and the built-in
// manifests, assembled by catalog.Assemble. The CLI, the interpreter and
// tests all get their catalog here; a program sees the kinds and adapters
// whose packages it imports (the CLI imports stdlib/all and adapters/all).
func Catalog() *catalog.Catalog {
	c, err := catalog.Assemble(catalog.Parts{
		Stages:    stage.Schemas(),
		Adapters:  registry.Schemas(),
		Manifests: registry.Manifests(),
		Renderers: renderers.Summaries(),
		Recommend: renderers.RecommendedName,
	})
	if err != nil {
		// Register rejects duplicates and unknown ports, so this is a
		// programming error that any test importing the package catches.
		panic(fmt.Sprintf("interp: inconsistent registrations: %v", err))
	}
	return c
}
