package datum

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	tests := []struct {
		name       string
		tokens     []int
		weights    []float32
		maxLength  int
		red        Reduction
		wantInput  []int
		wantTarget []int64
		wantW      []float32
		wantErr    error
	}{
		{
			name:   "shift, mean",
			tokens: []int{10, 11, 12, 13, 14}, weights: []float32{0, 0, 1, 1, 0},
			red:       Mean,
			wantInput: []int{10, 11, 12, 13}, wantTarget: []int64{11, 12, 13, 14},
			// target t gets the weight of token t+1: tokens 11..14 have 0,1,1,0.
			wantW: []float32{0, 0.5, 0.5, 0},
		},
		{
			name:   "shift, none",
			tokens: []int{10, 11, 12, 13, 14}, weights: []float32{0, 0, 1, 1, 0},
			red:       None,
			wantInput: []int{10, 11, 12, 13}, wantTarget: []int64{11, 12, 13, 14},
			wantW: []float32{0, 1, 1, 0},
		},
		{
			name:   "truncate from the end",
			tokens: []int{1, 2, 3, 4, 5, 6}, weights: []float32{0, 1, 1, 1, 1, 1},
			maxLength: 4, red: None,
			wantInput: []int{1, 2, 3}, wantTarget: []int64{2, 3, 4}, wantW: []float32{1, 1, 1},
		},
		{
			name:   "truncate, mean over what is left",
			tokens: []int{1, 2, 3, 4, 5, 6}, weights: []float32{0, 0, 0, 1, 1, 1},
			maxLength: 5, red: Mean,
			wantInput: []int{1, 2, 3, 4}, wantTarget: []int64{2, 3, 4, 5}, wantW: []float32{0, 0, 0.5, 0.5},
		},
		{
			name:   "first token weight is never used",
			tokens: []int{7, 8}, weights: []float32{1, 1}, red: None,
			wantInput: []int{7}, wantTarget: []int64{8}, wantW: []float32{1},
		},
		{
			name:   "truncation removes every trained token",
			tokens: []int{1, 2, 3, 4}, weights: []float32{0, 0, 1, 1}, maxLength: 2, red: Mean,
			wantErr: ErrNoLossTokens,
		},
		{
			name: "one token left", tokens: []int{1, 2, 3}, weights: []float32{1, 1, 1}, maxLength: 1, red: Mean,
			wantErr: ErrNoLossTokens,
		},
		{
			name: "nothing trained", tokens: []int{1, 2, 3}, weights: []float32{0, 0, 0}, red: None,
			wantErr: ErrNoLossTokens,
		},
		{
			name:   "max_length 0 keeps everything",
			tokens: []int{1, 2, 3}, weights: []float32{0, 1, 1}, maxLength: 0, red: None,
			wantInput: []int{1, 2}, wantTarget: []int64{2, 3}, wantW: []float32{1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Build(tt.tokens, tt.weights, tt.maxLength, tt.red)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.ModelInput.Tokens(); !slices.Equal(got, tt.wantInput) {
				t.Errorf("input %v, want %v", got, tt.wantInput)
			}
			if got := Targets(d); !slices.Equal(got, tt.wantTarget) {
				t.Errorf("targets %v, want %v", got, tt.wantTarget)
			}
			if got := Weights(d); !slices.Equal(got, tt.wantW) {
				t.Errorf("weights %v, want %v", got, tt.wantW)
			}
		})
	}
}

func TestBuildRejectsMismatch(t *testing.T) {
	if _, err := Build([]int{1, 2}, []float32{1}, 0, Mean); err == nil {
		t.Fatal("want an error for mismatched lengths")
	}
	if _, err := Build([]int{1, 2}, []float32{1, -1}, 0, Mean); err == nil {
		t.Fatal("want an error for a negative weight")
	}
	// The error names the token, counted in the full sequence.
	if _, err := Build([]int{1, 2, 3}, []float32{1, 1, -1}, 0, Mean); err == nil || !strings.Contains(err.Error(), "at token 2") {
		t.Fatalf("err = %v, want an invalid weight at token 2", err)
	}
	if _, err := Build([]int{1, 2, 3}, []float32{1, float32(math.Inf(1)), 1}, 0, Mean); err == nil {
		t.Fatal("want an error for an infinite weight (mean reduction would make every weight NaN or 0)")
	}
	if _, err := ParseReduction("sum"); err == nil {
		t.Fatal("want an error for an unknown reduction")
	}
}
