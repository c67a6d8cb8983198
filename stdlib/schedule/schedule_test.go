package schedule

import (
	"math"
	"testing"
)

func TestMultiplier(t *testing.T) {
	tests := []struct {
		name          string
		total, warmup int
		want          []float64 // multipliers of steps 0..len-1
	}{
		{Constant, 4, 0, []float64{1, 1, 1, 1}},
		{Linear, 4, 0, []float64{1, 0.75, 0.5, 0.25}},
		{Cosine, 4, 0, []float64{1, 0.5 * (1 + math.Cos(math.Pi/4)), 0.5, 0.5 * (1 + math.Cos(3*math.Pi/4))}},
		{Linear, 6, 2, []float64{1.0 / 3, 2.0 / 3, 1, 0.75, 0.5, 0.25}},
		{Constant, 3, 2, []float64{1.0 / 3, 2.0 / 3, 1}},
		{Cosine, 4, 4, []float64{0.2, 0.4, 0.6, 0.8}},
	}
	for _, tt := range tests {
		s, err := New(tt.name, tt.total, tt.warmup)
		if err != nil {
			t.Fatal(err)
		}
		for step, want := range tt.want {
			if got := s.Multiplier(step); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s total=%d warmup=%d step %d: %v, want %v", tt.name, tt.total, tt.warmup, step, got, want)
			}
		}
	}
}

func TestNewRejects(t *testing.T) {
	for _, c := range []struct {
		name          string
		total, warmup int
	}{{"exp", 10, 0}, {Linear, 0, 0}, {Linear, 10, -1}} {
		if _, err := New(c.name, c.total, c.warmup); err == nil {
			t.Errorf("New(%q, %d, %d) accepted", c.name, c.total, c.warmup)
		}
	}
}
