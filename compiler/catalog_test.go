package compiler

import (
	"github.com/cookbookc/cookbookc/compiler/catalog"
)

// testCatalog is the built-in catalog plus adapter schemas shaped like the
// real ones, so compiler tests do not depend on which adapter packages
// exist. It also adds a manifest "bare" that binds nothing.
func testCatalog() *catalog.Catalog {
	c := catalog.New()
	add := func(a catalog.AdapterSchema) {
		if err := c.AddAdapter(&a); err != nil {
			panic(err)
		}
	}
	for _, port := range []string{catalog.PortTrainingClient, catalog.PortSamplingClient} {
		add(catalog.AdapterSchema{Port: port, Name: "local", Config: []catalog.Field{
			{Name: "device", Type: catalog.String, Default: "cpu", Enum: []string{"cpu"}},
			{Name: "threads", Type: catalog.Int, Min: catalog.AtLeast(1)},
		}})
		add(catalog.AdapterSchema{Port: port, Name: "tinker", Config: []catalog.Field{
			{Name: "api_key", Type: catalog.String, Required: true, Sensitive: true},
			{Name: "base_url", Type: catalog.String},
			{Name: "max_retries", Type: catalog.Int, Min: catalog.AtLeast(0)},
		}})
		add(catalog.AdapterSchema{Port: port, Name: "fake", Fake: true})
	}
	add(catalog.AdapterSchema{Port: catalog.PortDatasetStore, Name: "local"})
	add(catalog.AdapterSchema{Port: catalog.PortDatasetStore, Name: "fake", Fake: true})
	add(catalog.AdapterSchema{Port: catalog.PortDatasetStore, Name: "hf"})
	add(catalog.AdapterSchema{Port: catalog.PortBlobStore, Name: "local"})
	add(catalog.AdapterSchema{Port: catalog.PortBlobStore, Name: "s3", Config: []catalog.Field{
		{Name: "bucket", Type: catalog.String, Required: true},
		{Name: "endpoint", Type: catalog.String},
	}})
	add(catalog.AdapterSchema{Port: catalog.PortHubClient, Name: "hf"})
	add(catalog.AdapterSchema{Port: catalog.PortMetricsSink, Name: "none"})
	c.Manifests["bare"] = &catalog.Manifest{Name: "bare", Summary: "Binds nothing (tests).", Ports: map[string]catalog.Binding{}}
	return c
}
