// Package ports defines the interfaces stages call and adapters implement,
// one per port (training_client, sampling_client, dataset_store,
// blob_store, hub_client, llm_client, embedding_client, vector_store,
// metrics_sink), plus the data types that cross them.
//
// The training and sampling types follow the remote training service's
// wire model (Datum, ModelInput, TensorData, AdamParams, SamplingParams;
// see ../shared/reference/tinker-protocol.md §3-§5) so that a stage runs
// unchanged against the local backend and the remote service.
//
// Conventions:
//   - context.Context comes first in every call that can block.
//   - Training calls are submitted in call order and return a Future at
//     once; the operation completes later. A stage can therefore submit
//     forward_backward and optim_step back to back and await both, and
//     submit batch k+1 before awaiting batch k.
//   - Adapters wrap errors in *Error so messages name the port and the
//     adapter.
package ports
