package compiler

import (
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/lang/schema"
	_ "github.com/cookbookc/cookbookc/stdlib/all" // the real stage kinds
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	stagekinds "github.com/cookbookc/cookbookc/stdlib/stage"
)

// testCatalog is the real stage kinds, renderers and built-in manifests
// (assembled as interp.Catalog does) plus adapter schemas shaped like the
// real ones, so compiler tests do not depend on which adapter packages
// exist. It also adds a manifest "bare" that binds nothing.
func testCatalog() *catalog.Catalog {
	var adapters []*schema.AdapterSchema
	add := func(a schema.AdapterSchema) { adapters = append(adapters, &a) }
	for _, port := range []string{schema.PortTrainingClient, schema.PortSamplingClient} {
		add(schema.AdapterSchema{Port: port, Name: "local", Config: []schema.Field{
			{Name: "device", Type: schema.String, Default: "cpu", Enum: []string{"cpu"}},
			{Name: "threads", Type: schema.Int, Min: schema.AtLeast(1)},
		}})
		add(schema.AdapterSchema{Port: port, Name: "tinker", Config: []schema.Field{
			{Name: "api_key", Type: schema.String, Required: true, Sensitive: true},
			{Name: "base_url", Type: schema.String},
			{Name: "max_retries", Type: schema.Int, Min: schema.AtLeast(0)},
		}})
		add(schema.AdapterSchema{Port: port, Name: "fake", Fake: true})
	}
	root := []schema.Field{{Name: "root", Type: schema.String}}
	add(schema.AdapterSchema{Port: schema.PortDatasetStore, Name: "local", Config: root, Sources: []string{"file"}})
	add(schema.AdapterSchema{Port: schema.PortDatasetStore, Name: "fake", Fake: true})
	add(schema.AdapterSchema{Port: schema.PortDatasetStore, Name: "hf", Config: root, Sources: []string{"file", "hf"}})
	add(schema.AdapterSchema{Port: schema.PortBlobStore, Name: "local"})
	add(schema.AdapterSchema{Port: schema.PortBlobStore, Name: "s3", Config: []schema.Field{
		{Name: "bucket", Type: schema.String, Required: true},
		{Name: "endpoint", Type: schema.String},
	}})
	add(schema.AdapterSchema{Port: schema.PortHubClient, Name: "hf"})
	add(schema.AdapterSchema{Port: schema.PortMetricsSink, Name: "none"})
	manifests := append(registry.Manifests(), &schema.Manifest{Name: "bare", Summary: "Binds nothing (tests).", Ports: map[string]schema.ManifestPort{}})
	c, err := catalog.Assemble(catalog.Parts{
		Stages: stagekinds.Schemas(), Adapters: adapters, Manifests: manifests,
		Renderers: renderers.Summaries(), Recommend: renderers.RecommendedName,
	})
	if err != nil {
		panic(err)
	}
	return c
}
