package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "b", DType: "F32", Shape: []int{2, 3}, Data: F32Bytes([]float32{1, 2, 3, 4, 5, 6})},
		{Name: "a", DType: "F64", Shape: []int{1}, Data: F64Bytes([]float64{-0.5})},
		{Name: "empty", DType: "F32", Shape: []int{0, 4}, Data: nil},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" {
		t.Fatalf("metadata = %v", f.Metadata)
	}
	b, ok := f.Lookup("b")
	if !ok {
		t.Fatal("tensor b missing")
	}
	v, err := b.Floats()
	if err != nil || len(v) != 6 || v[5] != 6 {
		t.Fatalf("b = %v, %v", v, err)
	}
	a, _ := f.Lookup("a")
	if v, _ := a.Floats(); v[0] != -0.5 {
		t.Fatalf("a = %v", v)
	}
}

// TestHeaderLayoutIndependently parses the bytes by hand, as any
// safetensors reader would: u64 header size, JSON header, aligned data.
func TestHeaderLayoutIndependently(t *testing.T) {
	var buf bytes.Buffer
	vals := []float32{0.25, -1, 3}
	if err := Write(&buf, []Tensor{{Name: "w", DType: "F32", Shape: []int{3}, Data: F32Bytes(vals)}}, nil); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	n := binary.LittleEndian.Uint64(raw[:8])
	if (8+n)%8 != 0 {
		t.Fatalf("data section starts at %d, not 8-byte aligned", 8+n)
	}
	var hdr map[string]struct {
		DType   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets []int  `json:"data_offsets"`
	}
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	w := hdr["w"]
	if w.DType != "F32" || len(w.Shape) != 1 || w.Shape[0] != 3 || w.Offsets[0] != 0 || w.Offsets[1] != 12 {
		t.Fatalf("header entry = %+v", w)
	}
	data := raw[8+n:]
	if len(data) != 12 {
		t.Fatalf("data section has %d bytes, want 12", len(data))
	}
	if got := binary.LittleEndian.Uint32(data[4:]); got != 0xbf800000 { // -1.0
		t.Fatalf("second value bits = %#x", got)
	}
}

func TestReadRejectsCorruptFiles(t *testing.T) {
	var good bytes.Buffer
	if err := Write(&good, []Tensor{{Name: "w", DType: "F32", Shape: []int{2}, Data: F32Bytes([]float32{1, 2})}}, nil); err != nil {
		t.Fatal(err)
	}
	hdr := func(h string, data int) []byte {
		var b bytes.Buffer
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
		b.Write(n[:])
		b.WriteString(h)
		b.Write(make([]byte, data))
		return b.Bytes()
	}
	cases := map[string][]byte{
		"short":          {1, 2},
		"huge header":    append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 0),
		"truncated data": good.Bytes()[:good.Len()-1],
		"bad json":       hdr("{", 0),
		"bad dtype":      hdr(`{"w":{"dtype":"X9","shape":[1],"data_offsets":[0,4]}}`, 4),
		"shape mismatch": hdr(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4),
		"hole":           hdr(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
		"trailing":       hdr(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8),
		"negative shape": hdr(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4),
	}
	for name, b := range cases {
		if _, err := Read(b); err == nil || !strings.Contains(err.Error(), "safetensors") {
			t.Errorf("%s: err = %v, want a safetensors error", name, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	_ = Write(&good, []Tensor{{Name: "w", DType: "F32", Shape: []int{2}, Data: F32Bytes([]float32{1, 2})}}, map[string]string{"k": "v"})
	f.Add(good.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Read(b) // must not panic
	})
}
