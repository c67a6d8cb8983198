package local

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// Scheme is the URI scheme of local checkpoint paths.
const Scheme = "local://"

// Checkpoint kinds, the directory between the model id and the name.
const (
	kindState   = "weights"
	kindSampler = "sampler_weights"
)

// Files inside a checkpoint directory.
const (
	fileWeights   = "model.safetensors"
	fileOptimizer = "optimizer.safetensors"
	fileInfo      = "checkpoint.json"
)

// checkpointInfo is checkpoint.json: what the directory holds.
type checkpointInfo struct {
	Kind      string `json:"kind"` // weights or sampler_weights
	ModelID   string `json:"model_id"`
	BaseModel string `json:"base_model"`
	ModelName string `json:"model_name"` // the local config that ran
	LoRARank  int    `json:"lora_rank"`
	Step      int    `json:"step"`
	StandIn   string `json:"stand_in,omitempty"`
}

// resolvePath maps a local:// path to a directory: "local:///abs/dir" is
// absolute, "local://rel/dir" is relative to root and may not leave it.
func resolvePath(root, path string) (string, error) {
	if !strings.HasPrefix(path, Scheme) {
		return "", fmt.Errorf("path %q is not a local checkpoint path (want %s...)", path, Scheme)
	}
	rest := strings.TrimPrefix(path, Scheme)
	if rest == "" || rest == "/" {
		return "", fmt.Errorf("path %q names no checkpoint", path)
	}
	if strings.HasPrefix(rest, "/") {
		return filepath.Clean(rest), nil
	}
	clean := filepath.Clean(filepath.FromSlash(rest))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) || filepath.IsAbs(clean) {
		return "", fmt.Errorf("path %q leaves the checkpoint root", path)
	}
	return filepath.Join(root, clean), nil
}

// validName checks a checkpoint name: one path element.
func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("checkpoint name %q must be one non-empty path element not starting with a dot", name)
	}
	return nil
}

var tmpCounter atomic.Int64

// writeDir atomically replaces dir with a directory holding files: the
// files are written and fsynced in a temporary sibling, which is then
// renamed into place (an older dir is moved aside first and removed).
func writeDir(dir string, files map[string]func(*os.File) error) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp-%d-%d", dir, os.Getpid(), tmpCounter.Add(1))
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	for name, write := range files {
		f, err := os.Create(filepath.Join(tmp, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	var old string
	if _, err := os.Stat(dir); err == nil {
		old = fmt.Sprintf("%s.old-%d-%d", dir, os.Getpid(), tmpCounter.Add(1))
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	ok = true
	if old != "" {
		os.RemoveAll(old)
	}
	if d, err := os.Open(parent); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func writeJSON(v any) func(*os.File) error {
	return func(f *os.File) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
}

func readInfo(dir string) (checkpointInfo, error) {
	var info checkpointInfo
	b, err := os.ReadFile(filepath.Join(dir, fileInfo))
	if err != nil {
		return info, fmt.Errorf("read checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("checkpoint %s: %w", fileInfo, err)
	}
	return info, nil
}
