// Package engine is the local backend's transformer: a decoder-only
// model (token and learned position embeddings, pre-norm LayerNorm
// without bias, multi-head causal self-attention, a tanh-GELU MLP, final
// LayerNorm, unembedding tied to the token embedding; no biases) with
// manual forward and backward passes, LoRA adapters, the training
// service's loss functions, AdamW, KV-cache sampling and safetensors
// checkpoints.
//
// Model[T] is generic over float32 (production) and float64 (the
// finite-difference gradient checks of every layer and loss). Batches
// pack sequences end to end without padding; a batch is processed in
// chunks of whole sequences (Model.MaxChunkTokens) to bound activation
// memory. Attention stores no T×T matrix: the backward pass recomputes
// probabilities from the saved log-sum-exp.
//
// Determinism: work is split by shape only and every reduction (LayerNorm
// gain gradients, the loss sum, the gradient norm) adds fixed partial
// sums in a fixed order, so results do not depend on the thread count. A
// row's forward computation does not depend on the other rows of its
// batch, so the sampler's KV-cache path reproduces the training forward
// pass's logits bitwise. Steady-state training steps allocate nothing.
package engine
