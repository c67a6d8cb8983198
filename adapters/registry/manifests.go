package registry

import "github.com/cookbookc/cookbookc/lang/schema"

// Manifests returns the built-in manifests (SPEC.md §2.6), sorted by
// name. This is their only definition: the catalog, `cookbookc adapters`
// and the adapters' own tests read them from here.
func Manifests() []*schema.Manifest {
	local := func() map[string]schema.ManifestPort {
		return map[string]schema.ManifestPort{
			schema.PortTrainingClient: {Adapter: "local"},
			schema.PortSamplingClient: {Adapter: "local"},
			schema.PortDatasetStore:   {Adapter: "local"},
			schema.PortBlobStore:      {Adapter: "local"},
			schema.PortHubClient:      {Adapter: "hf"},
			schema.PortMetricsSink:    {Adapter: "none"},
		}
	}
	// dev and prod read hf:// datasets as well as local files; default
	// and local keep the local store, which never touches the network.
	dev := local()
	dev[schema.PortDatasetStore] = schema.ManifestPort{Adapter: "hf"}
	dev[schema.PortLLMClient] = schema.ManifestPort{Adapter: "openai"}
	dev[schema.PortEmbeddingClient] = schema.ManifestPort{Adapter: "openai"}
	dev[schema.PortVectorStore] = schema.ManifestPort{Adapter: "memory"}
	return []*schema.Manifest{
		{Name: schema.DefaultManifest, Summary: "Embedded default: the local training backend, local files and blobs; runs offline.", Ports: local()},
		{Name: "dev", Summary: "Local training plus remote helpers (hub datasets, OpenAI-compatible LLM and embeddings, in-memory vectors).", Ports: dev},
		{Name: "local", Summary: "Same as default: everything on this machine.", Ports: local()},
		{Name: "prod", Summary: "The remote training service (Tinker), Hugging Face hub and S3.", Ports: map[string]schema.ManifestPort{
			schema.PortTrainingClient: {Adapter: "tinker"}, schema.PortSamplingClient: {Adapter: "tinker"},
			schema.PortDatasetStore: {Adapter: "hf"}, schema.PortBlobStore: {Adapter: "s3"},
			schema.PortHubClient: {Adapter: "hf"}, schema.PortLLMClient: {Adapter: "openai"},
			schema.PortEmbeddingClient: {Adapter: "openai"}, schema.PortVectorStore: {Adapter: "memory"},
			schema.PortMetricsSink: {Adapter: "none"},
		}},
		{Name: "test", Summary: "Deterministic fakes for every port (for tests; trains nothing).", Ports: map[string]schema.ManifestPort{
			schema.PortTrainingClient: {Adapter: "fake"}, schema.PortSamplingClient: {Adapter: "fake"},
			schema.PortDatasetStore: {Adapter: "fake"}, schema.PortBlobStore: {Adapter: "fake"},
			schema.PortHubClient: {Adapter: "fake"}, schema.PortLLMClient: {Adapter: "fake"},
			schema.PortEmbeddingClient: {Adapter: "fake"}, schema.PortVectorStore: {Adapter: "fake"},
			schema.PortMetricsSink: {Adapter: "none"},
		}},
	}
}

// Manifest returns the built-in manifest called name.
func Manifest(name string) (*schema.Manifest, bool) {
	for _, m := range Manifests() {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}
