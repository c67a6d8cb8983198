// Package schedule computes learning-rate multipliers: constant, linear
// and cosine decay over a run (../shared/reference/cookbook-semantics.md
// §3.3), with an optional linear warmup in front.
package schedule

import (
	"fmt"
	"math"
)

// Schedule names.
const (
	Constant = "constant"
	Linear   = "linear"
	Cosine   = "cosine"
)

// Names lists the schedules: the enum of every lr_schedule input.
var Names = []string{Constant, Linear, Cosine}

// Schedule is a learning-rate schedule over TotalSteps steps counted from
// 0.
type Schedule struct {
	Name        string
	TotalSteps  int
	WarmupSteps int
}

// New validates a schedule.
func New(name string, totalSteps, warmupSteps int) (Schedule, error) {
	switch name {
	case Constant, Linear, Cosine:
	default:
		return Schedule{}, fmt.Errorf("unknown lr_schedule %q (want constant, linear or cosine)", name)
	}
	if totalSteps < 1 {
		return Schedule{}, fmt.Errorf("lr schedule needs at least one step, got %d", totalSteps)
	}
	if warmupSteps < 0 {
		return Schedule{}, fmt.Errorf("warmup_steps must be >= 0, got %d", warmupSteps)
	}
	return Schedule{Name: name, TotalSteps: totalSteps, WarmupSteps: warmupSteps}, nil
}

// Multiplier returns the factor applied to the peak learning rate at
// step (0-based).
//
// During warmup (step < WarmupSteps) it rises linearly as
// (step+1)/(WarmupSteps+1), so the first step already trains and the
// last warmup step is just below the peak. After warmup the schedule runs
// over the remaining steps with p = (step-W)/(TotalSteps-W):
// linear 1-p, cosine 0.5(1+cos(pi p)), constant 1. Without warmup this is
// exactly tinker-cookbook's schedule.
func (s Schedule) Multiplier(step int) float64 {
	if step < s.WarmupSteps {
		return float64(step+1) / float64(s.WarmupSteps+1)
	}
	span := s.TotalSteps - s.WarmupSteps
	if span <= 0 {
		return 1
	}
	p := float64(step-s.WarmupSteps) / float64(span)
	p = math.Min(math.Max(p, 0), 1)
	switch s.Name {
	case Linear:
		return 1 - p
	case Cosine:
		return 0.5 * (1 + math.Cos(math.Pi*p))
	}
	return 1
}
