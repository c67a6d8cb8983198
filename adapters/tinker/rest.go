package tinker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Logger is the logger the adapter writes to (never with secrets).
type Logger = *slog.Logger

// submitAwait submits a session-level request whose answer is a future
// (create_model, create-via-load, unload_model) and awaits the result.
func (s *service) submitAwait(ctx context.Context, path string, body any, reqType string) (result, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return result{}, err
	}
	pe := &pending{svc: s, req: &request{Method: http.MethodPost, Path: path, Body: data}, reqType: reqType}
	if err := pe.send(ctx); err != nil {
		return result{}, err
	}
	return pe.await(ctx)
}

// WeightsInfo describes a saved checkpoint (POST /weights_info).
type WeightsInfo struct {
	BaseModel    string `json:"base_model"`
	IsLoRA       bool   `json:"is_lora"`
	LoRARank     int    `json:"lora_rank,omitempty"`
	TrainUnembed *bool  `json:"train_unembed,omitempty"`
	TrainMLP     *bool  `json:"train_mlp,omitempty"`
	TrainAttn    *bool  `json:"train_attn,omitempty"`
}

func (s *service) weightsInfo(ctx context.Context, path string) (WeightsInfo, error) {
	if err := s.start(ctx); err != nil {
		return WeightsInfo{}, err
	}
	resp, err := s.tr.postJSON(ctx, "weights_info", map[string]any{"tinker_path": path}, s.cfg.RequestTimeout)
	if err != nil {
		return WeightsInfo{}, fmt.Errorf("weights_info: %w", err)
	}
	info, err := decode[WeightsInfo](resp, "weights_info")
	if err == nil && info.BaseModel == "" {
		err = fmt.Errorf("weights_info for %s: no base_model", path)
	}
	return info, err
}

// getInfo reads a model's info (POST /get_info, a direct answer).
func (s *service) getInfo(ctx context.Context, modelID string) (ports.ModelInfo, error) {
	if err := s.start(ctx); err != nil {
		return ports.ModelInfo{}, err
	}
	resp, err := s.tr.postJSON(ctx, "get_info", map[string]any{"model_id": modelID, "type": "get_info"}, s.cfg.RequestTimeout)
	if err != nil {
		return ports.ModelInfo{}, err
	}
	v, err := decode[struct {
		ModelID   string `json:"model_id"`
		ModelData struct {
			Arch        string `json:"arch"`
			ModelName   string `json:"model_name"`
			TokenizerID string `json:"tokenizer_id"`
		} `json:"model_data"`
		IsLoRA    bool   `json:"is_lora"`
		LoRARank  int    `json:"lora_rank"`
		ModelName string `json:"model_name"`
	}](resp, "get_info")
	if err != nil {
		return ports.ModelInfo{}, err
	}
	info := ports.ModelInfo{ModelID: v.ModelID, IsLoRA: v.IsLoRA, LoRARank: v.LoRARank, BaseModel: v.ModelData.ModelName}
	if info.ModelID == "" {
		info.ModelID = modelID
	}
	if info.BaseModel == "" {
		info.BaseModel = v.ModelName
	}
	// The SDK drops a ":revision" suffix from tokenizer ids.
	info.TokenizerID, _, _ = strings.Cut(v.ModelData.TokenizerID, ":")
	if info.TokenizerID == "" {
		info.TokenizerID = info.BaseModel
	}
	rememberTokenizer(s.cfg.BaseURL, info.BaseModel, info.TokenizerID)
	if caps, err := s.capabilities(ctx); err == nil {
		for _, m := range caps.Models {
			if m.Name == info.BaseModel {
				info.ContextLength = m.ContextLength
			}
		}
	}
	return info, nil
}

// capabilities reads GET /get_server_capabilities.
func (s *service) capabilities(ctx context.Context) (ports.Capabilities, error) {
	if err := s.start(ctx); err != nil {
		return ports.Capabilities{}, err
	}
	resp, err := s.tr.call(ctx, &request{Method: http.MethodGet, Path: "get_server_capabilities", Timeout: s.cfg.RequestTimeout}, false)
	if err != nil {
		return ports.Capabilities{}, err
	}
	v, err := decode[struct {
		Models []struct {
			Name          string `json:"model_name"`
			ContextLength int    `json:"max_context_length"`
		} `json:"supported_models"`
	}](resp, "get_server_capabilities")
	if err != nil {
		return ports.Capabilities{}, err
	}
	caps := ports.Capabilities{Models: []ports.ModelCapability{}}
	for _, m := range v.Models {
		caps.Models = append(caps.Models, ports.ModelCapability{Name: m.Name, ContextLength: m.ContextLength})
	}
	return caps, nil
}

// Checkpoint is one saved checkpoint as the service lists it.
type Checkpoint struct {
	ID         string     `json:"checkpoint_id"`
	Type       string     `json:"checkpoint_type"` // "training" or "sampler"
	Time       time.Time  `json:"time"`
	TinkerPath string     `json:"tinker_path"`
	SizeBytes  int64      `json:"size_bytes,omitempty"`
	Public     bool       `json:"public"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

// CheckpointLister is implemented by the tinker Trainer; stages that want
// the service's own checkpoint list can type-assert a ports.Trainer to it.
type CheckpointLister interface {
	// ListCheckpoints lists a training run's checkpoints; runID is a
	// model id ("" lists all of the user's checkpoints).
	ListCheckpoints(ctx context.Context, runID string) ([]Checkpoint, error)
}

// ListCheckpoints implements CheckpointLister (GET
// /training_runs/{id}/checkpoints, or /checkpoints paged by 100).
func (t *Trainer) ListCheckpoints(ctx context.Context, runID string) ([]Checkpoint, error) {
	cps, err := t.svc.listCheckpoints(ctx, runID)
	return cps, t.svc.wrap("list_checkpoints", err)
}

func (s *service) listCheckpoints(ctx context.Context, runID string) ([]Checkpoint, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	type page struct {
		Checkpoints []Checkpoint `json:"checkpoints"`
		Cursor      *struct {
			Offset     int `json:"offset"`
			Limit      int `json:"limit"`
			TotalCount int `json:"total_count"`
		} `json:"cursor"`
	}
	get := func(path string) (page, error) {
		resp, err := s.tr.call(ctx, &request{Method: http.MethodGet, Path: path, Timeout: s.cfg.RequestTimeout}, false)
		if err != nil {
			return page{}, err
		}
		return decode[page](resp, "checkpoints")
	}
	if runID != "" {
		p, err := get("training_runs/" + url.PathEscape(runID) + "/checkpoints")
		return nonNil(p.Checkpoints), err
	}
	out := []Checkpoint{}
	for offset := 0; ; {
		p, err := get("checkpoints?limit=100&offset=" + strconv.Itoa(offset))
		if err != nil {
			return nil, err
		}
		out = append(out, p.Checkpoints...)
		offset += len(p.Checkpoints)
		if len(p.Checkpoints) == 0 || p.Cursor == nil || offset >= p.Cursor.TotalCount {
			return out, nil
		}
	}
}
