package schema

// Port names. Every adapter implements exactly one port; a stage kind
// lists the ports it calls (SPEC.md §2.6).
const (
	PortTrainingClient  = "training_client"
	PortSamplingClient  = "sampling_client"
	PortDatasetStore    = "dataset_store"
	PortBlobStore       = "blob_store"
	PortHubClient       = "hub_client"
	PortLLMClient       = "llm_client"
	PortEmbeddingClient = "embedding_client"
	PortVectorStore     = "vector_store"
	PortMetricsSink     = "metrics_sink"
)

// Ports lists every port name in a fixed order.
var Ports = []string{
	PortTrainingClient, PortSamplingClient, PortDatasetStore, PortBlobStore,
	PortHubClient, PortLLMClient, PortEmbeddingClient, PortVectorStore,
	PortMetricsSink,
}

// IsPort reports whether name is a port.
func IsPort(name string) bool {
	for _, p := range Ports {
		if p == name {
			return true
		}
	}
	return false
}
