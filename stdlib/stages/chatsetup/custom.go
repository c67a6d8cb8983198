package chatsetup

import (
	"errors"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
)

// fromIR builds a recipe-declared renderer. It waits for
// renderers.FromIR (owned by the renderer package); until that lands a
// custom renderer is refused with a clear error rather than mis-rendered.
func fromIR(r *ir.Renderer) (renderers.Renderer, error) {
	return nil, errors.New("custom renderers need renderers.FromIR, which this build does not have yet")
}
