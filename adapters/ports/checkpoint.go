package ports

// Checkpoint is the value of a stage output of type "checkpoint": the
// paths a training stage saved and what they were trained from. It is
// JSON-encoded in run directories and passed to dependent stages.
type Checkpoint struct {
	// StatePath holds weights and optimizer state (resumable).
	StatePath string `json:"state_path,omitempty"`
	// SamplerPath holds weights for sampling.
	SamplerPath string `json:"sampler_path,omitempty"`
	BaseModel   string `json:"base_model"`
	// Renderer is the renderer the weights were trained with, so later
	// stages default to the same chat format.
	Renderer string `json:"renderer,omitempty"`
	LoRARank int    `json:"lora_rank"`
	// Step is the number of optimizer steps taken.
	Step int `json:"step"`
}
