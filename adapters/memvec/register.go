package memvec

import (
	"context"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func init() {
	registry.Register(registry.Adapter{Schema: Schema(), New: newFromConfig})
}

// Schema returns the adapter's config schema.
func Schema() schema.AdapterSchema {
	return schema.AdapterSchema{
		Port:    schema.PortVectorStore,
		Name:    AdapterName,
		Summary: "In-process vector store: exact cosine-similarity search, optionally persisted to a directory.",
		Config: []schema.Field{
			{Name: "dir", Type: schema.String, Default: "",
				Doc: "Directory that persists collections (relative paths are under the run directory, so a resumed run keeps them); empty keeps vectors in memory only."},
		},
	}
}

func newFromConfig(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
	return New(resolveDir(cfg.String("dir"), env.RunDir))
}
